using Amx.Data.Llm;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.Model;

namespace Amx.Tool.Tests.Llm;

/// <summary>Small TPC-DS-like tables used by the drafter tests.</summary>
static class SampleTables
{
    public static TableMeta Customer()
    {
        var t = new TableMeta { Name = new QualifiedName("tpcds", "customer"), Kind = TargetKinds.Table };
        var ordinal = 0;
        ColumnMeta Col(string name, string type, bool nullable = true) => new() { Name = name, Ordinal = ++ordinal, DataType = type, IsNullable = nullable };
        t.Columns.Add(Col("c_customer_sk", "integer", false));
        t.Columns.Add(Col("c_customer_id", "character(16)", false));
        t.Columns.Add(Col("c_current_addr_sk", "integer"));
        t.Columns.Add(Col("c_first_name", "character varying(20)"));
        t.Columns.Add(Col("c_last_name", "character varying(30)"));
        var flag = Col("c_preferred_cust_flag", "character(1)");
        flag.Profile = new ColumnProfile { RowsSeen = 1000, NullRatio = 0.03, DistinctEstimate = 2 };
        flag.Profile.TopValues.Add(("Y", 520));
        flag.Profile.TopValues.Add(("N", 450));
        t.Columns.Add(flag);
        var email = Col("c_email_address", "character varying(50)");
        email.Profile = new ColumnProfile { RowsSeen = 1000, NullRatio = 0.6, DistinctEstimate = 400 };
        t.Columns.Add(email);
        t.Columns.Add(Col("created_at", "timestamp with time zone", false));
        t.Columns.Add(Col("is_active", "boolean", false));
        var year = Col("c_birth_year", "integer");
        year.Profile = new ColumnProfile { RowsSeen = 1000, Min = "1924", Max = "1992", DistinctEstimate = 69 };
        t.Columns.Add(year);
        t.Columns.Add(Col("xq_zz", "integer"));
        t.PrimaryKey.Add("c_customer_sk");
        t.UniqueKeys.Add(["c_customer_id"]);
        t.ForeignKeys.Add(new ForeignKeyMeta
        {
            Columns = ["c_current_addr_sk"], References = new QualifiedName("tpcds", "customer_address"), ReferencedColumns = ["ca_address_sk"],
        });
        return t;
    }

    public static TableMeta StoreSales()
    {
        var t = new TableMeta { Name = new QualifiedName("tpcds", "store_sales"), Kind = TargetKinds.Table };
        var ordinal = 0;
        ColumnMeta Col(string name, string type) => new() { Name = name, Ordinal = ++ordinal, DataType = type, IsNullable = false };
        t.Columns.Add(Col("ss_sold_date_sk", "integer"));
        t.Columns.Add(Col("ss_item_sk", "integer"));
        t.Columns.Add(Col("ss_ticket_number", "bigint"));
        t.Columns.Add(Col("ss_quantity", "integer"));
        t.Columns.Add(Col("ss_sales_price", "numeric(7,2)"));
        t.Columns.Add(Col("ss_ext_discount_amt", "numeric(7,2)"));
        t.PrimaryKey.AddRange(["ss_item_sk", "ss_ticket_number"]);
        t.ForeignKeys.Add(new ForeignKeyMeta { Columns = ["ss_sold_date_sk"], References = new QualifiedName("tpcds", "date_dim"), ReferencedColumns = ["d_date_sk"] });
        t.ForeignKeys.Add(new ForeignKeyMeta { Columns = ["ss_item_sk"], References = new QualifiedName("tpcds", "item"), ReferencedColumns = ["i_item_sk"] });
        return t;
    }

    public static TableMeta Orders()
    {
        var t = new TableMeta { Name = new QualifiedName("sales", "orders"), Kind = TargetKinds.Table };
        var ordinal = 0;
        ColumnMeta Col(string name, string type, bool nullable = false) => new() { Name = name, Ordinal = ++ordinal, DataType = type, IsNullable = nullable };
        t.Columns.Add(Col("order_id", "bigint"));
        t.Columns.Add(Col("customer_id", "bigint"));
        t.Columns.Add(Col("orderQty", "integer"));
        t.Columns.Add(Col("last_updated_at", "timestamp"));
        t.Columns.Add(Col("ship_dt", "date", true));
        t.Columns.Add(Col("num_items", "integer"));
        t.PrimaryKey.Add("order_id");
        t.ForeignKeys.Add(new ForeignKeyMeta { Columns = ["customer_id"], References = new QualifiedName("sales", "customer"), ReferencedColumns = ["id"] });
        return t;
    }

    /// <summary>One request with the table and all its columns.</summary>
    public static DraftRequest All(TableMeta t, int? maxAlternatives = null) =>
        DraftRequest.ForTable(t, batchSize: 1000, maxAlternatives).Single();
}

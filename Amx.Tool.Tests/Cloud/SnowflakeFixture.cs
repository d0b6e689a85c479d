using Amx.Data.Config;
using Amx.Data.Warehouse.Http;
using Amx.Data.Warehouse.Snowflake;
using Amx.TestSupport.FakeCloudWarehouses;

namespace Amx.Tool.Tests.Cloud;

/// <summary>A fake Snowflake with a small catalog: SALES (two tables, one view) and OPS (one table).</summary>
static class SnowflakeFixture
{
    public static FakeSnowflake Create()
    {
        var fake = new FakeSnowflake();
        fake.Tables.AddRange([
            new FakeCloudTable
            {
                Schema = "SALES", Name = "CUSTOMER", RowCount = 1200, Comment = "People who buy",
                Columns = [new() { Name = "ID", DataType = "NUMBER", Nullable = false }, new() { Name = "NAME" }, new() { Name = "code", Comment = "" }],
            },
            new FakeCloudTable
            {
                Schema = "SALES", Name = "order \"lines\"", RowCount = 50_000,
                Columns = [new() { Name = "ORDER_ID", DataType = "NUMBER" }, new() { Name = "Customer Id", DataType = "NUMBER" }, new() { Name = "AMOUNT", DataType = "NUMBER", Comment = "Net amount" }],
            },
            new FakeCloudTable
            {
                Schema = "SALES", Name = "BIG_CUSTOMERS", Type = "VIEW", ViewDefinition = "CREATE VIEW SALES.BIG_CUSTOMERS AS SELECT ID, NAME FROM SALES.CUSTOMER",
                Columns = [new() { Name = "ID", DataType = "NUMBER" }, new() { Name = "NAME" }],
            },
            new FakeCloudTable { Schema = "OPS", Name = "EVENTS", RowCount = 7, Columns = [new() { Name = "AT", DataType = "TIMESTAMP_NTZ" }] },
        ]);
        return fake;
    }

    public static DbProfile Profile(FakeSnowflake fake, string? secret = null, string? auth = null)
    {
        var p = new DbProfile
        {
            Name = "sf", Backend = Backend.Snowflake, Host = "fakeacct.snowflakecomputing.com", Database = fake.Database,
            User = fake.User, Password = secret ?? fake.PrivateKeyPem,
        };
        p.Options[CloudSettings.BaseUrlKey] = fake.BaseUrl;
        p.Options[CloudSettings.WarehouseKey] = "COMPUTE_WH";
        if (auth is not null) p.Options[CloudSettings.AuthKey] = auth;
        return p;
    }

    public static async Task<SnowflakeConnection> OpenAsync(FakeSnowflake fake, string? secret = null, string? auth = null)
    {
        var c = new SnowflakeConnection(CloudConnectionStrings.Snowflake(Profile(fake, secret, auth)));
        await c.OpenAsync();
        return c;
    }
}

using Microsoft.Data.Sqlite;

namespace Amx.Data.Demo;

/// <summary>A small, realistic retail warehouse in a SQLite file: the subject of <c>amx demo</c>.</summary>
public static class DemoWarehouse
{
    const string Ddl = """
        CREATE TABLE store (
            store_id      INTEGER PRIMARY KEY,
            store_nm      TEXT NOT NULL,
            city          TEXT NOT NULL,
            country_cd    TEXT NOT NULL,
            opened_dt     DATE NOT NULL
        );
        CREATE TABLE customer (
            c_customer_id   INTEGER PRIMARY KEY,
            c_first_name    TEXT NOT NULL,
            c_last_name     TEXT NOT NULL,
            c_email_addr    TEXT UNIQUE,
            c_birth_dt      DATE,
            c_loyalty_tier  TEXT NOT NULL DEFAULT 'bronze',
            home_store_id   INTEGER REFERENCES store(store_id),
            is_active       BOOLEAN NOT NULL DEFAULT 1,
            created_ts      TIMESTAMP NOT NULL
        );
        CREATE TABLE product (
            product_id    INTEGER PRIMARY KEY,
            sku           TEXT NOT NULL UNIQUE,
            product_desc  TEXT NOT NULL,
            category_cd   TEXT NOT NULL,
            unit_price_amt NUMERIC(10,2) NOT NULL,
            discontinued_flg BOOLEAN NOT NULL DEFAULT 0
        );
        CREATE TABLE orders (
            order_id      INTEGER PRIMARY KEY,
            cust_id       INTEGER NOT NULL REFERENCES customer(c_customer_id),
            store_id      INTEGER NOT NULL REFERENCES store(store_id),
            order_ts      TIMESTAMP NOT NULL,
            status_cd     TEXT NOT NULL,
            total_amt     NUMERIC(12,2) NOT NULL,
            discount_pct  NUMERIC(5,2)
        );
        CREATE TABLE order_line (
            order_id      INTEGER NOT NULL REFERENCES orders(order_id),
            line_no       INTEGER NOT NULL,
            product_id    INTEGER NOT NULL REFERENCES product(product_id),
            qty           INTEGER NOT NULL,
            line_amt      NUMERIC(12,2) NOT NULL,
            PRIMARY KEY (order_id, line_no)
        );
        CREATE VIEW v_customer_revenue AS
            SELECT c.c_customer_id, c.c_first_name, c.c_last_name, SUM(o.total_amt) AS revenue_amt, COUNT(*) AS order_cnt
            FROM customer c JOIN orders o ON o.cust_id = c.c_customer_id
            GROUP BY c.c_customer_id, c.c_first_name, c.c_last_name;
        """;

    static readonly string[] FirstNames = ["Alice", "Bob", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas"];
    static readonly string[] LastNames = ["Martin", "Okafor", "Schmidt", "Tanaka", "García", "Nguyen", "Rossi", "Kowalski"];
    static readonly string[] Statuses = ["NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"];
    static readonly string[] Tiers = ["bronze", "silver", "gold"];
    static readonly string[] Categories = ["GROC", "BAKE", "DAIRY", "HOME", "TOYS"];

    /// <summary>Creates (or recreates) the demo database at <paramref name="path"/>; deterministic content.</summary>
    public static void Create(string path)
    {
        if (File.Exists(path)) File.Delete(path);
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        conn.Open();
        using var tx = conn.BeginTransaction();
        Exec(conn, tx, Ddl);
        var rnd = new Random(42);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        string[] cities = ["Lyon", "Porto", "Leeds", "Kraków"];
        string[] countries = ["FR", "PT", "GB", "PL"];
        for (var s = 1; s <= 4; s++)
            Exec(conn, tx, "INSERT INTO store VALUES ($1,$2,$3,$4,$5)", s, $"Store {cities[s - 1]}", cities[s - 1], countries[s - 1], start.AddYears(-s).ToString("yyyy-MM-dd"));
        for (var c = 1; c <= 200; c++)
        {
            var first = FirstNames[rnd.Next(FirstNames.Length)];
            var last = LastNames[rnd.Next(LastNames.Length)];
            Exec(conn, tx, "INSERT INTO customer VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", c, first, last,
                rnd.Next(10) == 0 ? null : $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{c}@example.com",
                rnd.Next(5) == 0 ? null : start.AddDays(-rnd.Next(6000, 25000)).ToString("yyyy-MM-dd"),
                Tiers[rnd.Next(Tiers.Length)], 1 + rnd.Next(4), rnd.Next(8) != 0, start.AddMinutes(rnd.Next(500000)).ToString("yyyy-MM-dd HH:mm:ss"));
        }
        for (var p = 1; p <= 50; p++)
            Exec(conn, tx, "INSERT INTO product VALUES ($1,$2,$3,$4,$5,$6)", p, $"SKU-{p:0000}", $"Product {p}",
                Categories[rnd.Next(Categories.Length)], Math.Round(0.5 + rnd.NextDouble() * 40, 2), rnd.Next(10) == 0);
        for (var o = 1; o <= 600; o++)
        {
            var lines = Enumerable.Range(1, 1 + rnd.Next(4)).Select(l =>
            {
                var qty = 1 + rnd.Next(5);
                return (Line: l, Product: 1 + rnd.Next(50), Qty: qty, Amount: Math.Round((decimal)(rnd.NextDouble() * 30 + 1) * qty, 2));
            }).ToList();
            Exec(conn, tx, "INSERT INTO orders VALUES ($1,$2,$3,$4,$5,$6,$7)", o, 1 + rnd.Next(200), 1 + rnd.Next(4),
                start.AddMinutes(rnd.Next(900000)).ToString("yyyy-MM-dd HH:mm:ss"), Statuses[rnd.Next(Statuses.Length)],
                lines.Sum(l => l.Amount), rnd.Next(3) == 0 ? 10m : null);
            foreach (var l in lines)
                Exec(conn, tx, "INSERT INTO order_line VALUES ($1,$2,$3,$4,$5)", o, l.Line, l.Product, l.Qty, l.Amount);
        }
        tx.Commit();
    }

    static void Exec(SqliteConnection conn, SqliteTransaction tx, string sql, params object?[] args)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++) cmd.Parameters.AddWithValue($"${i + 1}", args[i] ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }
}

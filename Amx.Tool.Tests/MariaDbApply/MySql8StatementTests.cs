using System.Text;
using Amx.Data.History.Model;
using Amx.Data.Warehouse;
using Amx.Data.Warehouse.MySql;

namespace Amx.Tool.Tests.MariaDbApply;

/// <summary>
/// MySQL 8 has no server here: the statements amx would run are generated from definitions as MySQL 8 prints
/// them (<c>SHOW CREATE TABLE</c> read as binary) and checked offline, attribute by attribute.
/// </summary>
public sealed class MySql8StatementTests
{
    // As MySQL 8.0 prints it: SRID in a version comment, functional defaults in parentheses, a binary default as raw bytes.
    static readonly byte[] CreateTable = Bytes(
        "CREATE TABLE `shapes` (\n" +
        "  `id` int unsigned NOT NULL AUTO_INCREMENT,\n" +
        "  `g` point NOT NULL /*!80003 SRID 4326 */,\n" +
        "  `h` geometry DEFAULT NULL,\n" +
        "  `u` binary(16) NOT NULL DEFAULT (uuid_to_bin(uuid())),\n" +
        "  `b2` varbinary(4) DEFAULT '", new byte[] { 0xC3, 0x28 }, "',\n" +
        "  `e` enum('x\\\\','it''s') DEFAULT NULL COMMENT 'old \\\\ ''c''',\n" +
        "  `ts` timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n" +
        "  `gv` int GENERATED ALWAYS AS ((`id` * 2)) VIRTUAL /*!80023 INVISIBLE */,\n" +
        "  `ck` int DEFAULT NULL,\n" +
        "  `we``ird` varchar(5) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT 'ä',\n" +
        "  PRIMARY KEY (`id`),\n" +
        "  CONSTRAINT `c1` CHECK ((`ck` > 0))\n" +
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci");

    static byte[] Bytes(params object[] parts)
    {
        var list = new List<byte>();
        foreach (var p in parts) list.AddRange(p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p);
        return list.ToArray();
    }

    static string Render(string column, string? text, long? srid = null)
    {
        var writer = new MySqlCommentWriter(MySqlDialect.MySql);
        var snapshot = new MySqlTableSnapshot
        {
            CreateTable = MySqlBinaryText.ToStatementText(CreateTable),
            Facts = new Dictionary<DefinitionKey, string>(),
            Srids = srid is { } n ? new Dictionary<string, long> { [column] = n } : new Dictionary<string, long>(),
        };
        return writer.RenderOffline(new CommentTarget(new QualifiedName("db", "shapes", column), TargetKinds.Column), text, snapshot);
    }

    [TestCase("id", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `id` int unsigned NOT NULL AUTO_INCREMENT COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("g", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `g` point NOT NULL /*!80003 SRID 4326 */ COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("u", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `u` binary(16) NOT NULL DEFAULT (uuid_to_bin(uuid())) COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("b2", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `b2` varbinary(4) DEFAULT X'C328' COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("e", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `e` enum('x\\\\','it''s') DEFAULT NULL COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("ts", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `ts` timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("gv", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `gv` int GENERATED ALWAYS AS ((`id` * 2)) VIRTUAL /*!80023 INVISIBLE */ COMMENT 'k', ALGORITHM=INSTANT")]
    [TestCase("we`ird", "ALTER TABLE `db`.`shapes` MODIFY COLUMN `we``ird` varchar(5) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT 'ä' COMMENT 'k', ALGORITHM=INSTANT")]
    public void Every_attribute_is_restated_exactly(string column, string expected) =>
        Assert.That(Render(column, "k"), Is.EqualTo(expected));

    [Test]
    public void An_srid_only_the_catalog_knows_is_added_as_SRID_n()
    {
        Assert.That(Render("h", "k", srid: 3857),
            Is.EqualTo("ALTER TABLE `db`.`shapes` MODIFY COLUMN `h` geometry SRID 3857 DEFAULT NULL COMMENT 'k', ALGORITHM=INSTANT"));
        // Printed already: not added twice.
        Assert.That(Render("g", "k", srid: 4326), Does.Contain("/*!80003 SRID 4326 */ COMMENT").And.Not.Contain("SRID 4326 /*"));
    }

    [Test]
    public void The_comment_is_escaped_for_amx_session_and_removal_drops_the_clause()
    {
        Assert.That(Render("e", "it's \\ new"), Does.Contain("DEFAULT NULL COMMENT 'it\\'s \\\\ new', ALGORITHM=INSTANT"));
        Assert.That(Render("e", null), Is.EqualTo("ALTER TABLE `db`.`shapes` MODIFY COLUMN `e` enum('x\\\\','it''s') DEFAULT NULL, ALGORITHM=INSTANT"));
    }

    [Test]
    public void MariaDb_spells_the_srid_REF_SYSTEM_ID()
    {
        var writer = new MySqlCommentWriter(MySqlDialect.MariaDb);
        var snapshot = new MySqlTableSnapshot
        {
            CreateTable = "CREATE TABLE `t` (\n  `g` point NOT NULL,\n  `h` geometry DEFAULT NULL\n) ENGINE=InnoDB",
            Facts = new Dictionary<DefinitionKey, string>(),
            Srids = new Dictionary<string, long> { ["g"] = 4326 },
        };
        Assert.That(writer.RenderOffline(new CommentTarget(new QualifiedName("db", "t", "g"), TargetKinds.Column), "k", snapshot),
            Is.EqualTo("ALTER TABLE `db`.`t` MODIFY COLUMN `g` point REF_SYSTEM_ID=4326 NOT NULL COMMENT 'k', ALGORITHM=INSTANT"));
    }

    [Test]
    public void Binary_text_keeps_every_byte()
    {
        var text = MySqlBinaryText.ToStatementText(Bytes("`b` binary(2) DEFAULT '", new byte[] { 0xFF }, "\\0', `c` varchar(3) DEFAULT 'é'"));
        Assert.That(text, Is.EqualTo("`b` binary(2) DEFAULT X'FF00', `c` varchar(3) DEFAULT 'é'"));
    }
}

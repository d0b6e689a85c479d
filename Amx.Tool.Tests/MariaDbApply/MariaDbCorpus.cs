namespace Amx.Tool.Tests.MariaDbApply;

/// <summary>
/// Column shapes that a comment write must leave exactly as they are: every attribute a MariaDB column can carry,
/// awkward names, ENUM/SET values and defaults with quotes and backslashes, binary defaults that are not UTF-8,
/// SRIDs, existing comments with quotes and backslashes; on InnoDB, MyISAM, Aria, a partitioned and a
/// system-versioned table. Created under sql_mode '' (zero dates allowed), with rows.
/// </summary>
static class MariaDbCorpus
{
    /// <summary>The InnoDB table: 46 column shapes.</summary>
    public const string InnoDb = """
        CREATE TABLE shapes (
          id int unsigned NOT NULL AUTO_INCREMENT,
          ti tinyint(3) unsigned zerofill DEFAULT 7,
          si smallint NOT NULL DEFAULT -5,
          mi mediumint DEFAULT NULL,
          bi bigint unsigned DEFAULT 18446744073709551615,
          de decimal(12,4) NOT NULL DEFAULT 3.1416,
          fl float(7,3) DEFAULT NULL,
          dbl double DEFAULT 1e300,
          bt bit(3) DEFAULT b'101',
          bo boolean DEFAULT true,
          ch char(5) CHARACTER SET latin1 COLLATE latin1_german1_ci DEFAULT 'ä',
          vc varchar(40) COLLATE utf8mb4_bin NOT NULL DEFAULT '',
          vq varchar(20) DEFAULT 'it''s "q"',
          vb varchar(10) DEFAULT 'C:\\',
          tx text,
          mt mediumtext CHARACTER SET ascii,
          lt text COMPRESSED,
          bl blob,
          bz blob COMPRESSED DEFAULT NULL,
          b1 binary(2) NOT NULL DEFAULT 0xFF00,
          b2 varbinary(4) DEFAULT x'C328',
          b3 varbinary(8) DEFAULT 'a\0b\nc',
          dt date DEFAULT '2020-02-29',
          dz date NOT NULL DEFAULT '0000-00-00',
          tm time(3) DEFAULT '12:34:56.789',
          dtt datetime(6) DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
          ts timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
          yr year DEFAULT 2024,
          en enum('a','b''c','x\\','y') DEFAULT 'b''c',
          st set('r','w','x\\') DEFAULT 'r,w',
          se set('a','b') NOT NULL DEFAULT '',
          js json DEFAULT NULL,
          gv int GENERATED ALWAYS AS (si * 2) VIRTUAL,
          gs varchar(50) GENERATED ALWAYS AS (concat(vc, '|\\')) STORED,
          iv int INVISIBLE DEFAULT 4,
          ck int DEFAULT 1 CHECK (ck > 0),
          ed int DEFAULT (si + 1),
          `we``ird` int DEFAULT 1,
          `spaced "name"` int,
          `ünïcode_列` varchar(5) DEFAULT 'é',
          cm varchar(5) COMMENT 'it''s a \\ "human" comment',
          g point REF_SYSTEM_ID=4326 NOT NULL,
          h geometry REF_SYSTEM_ID=3857 DEFAULT NULL,
          ip inet6 DEFAULT '::1',
          uu uuid DEFAULT NULL,
          nn int NULL DEFAULT NULL,
          PRIMARY KEY (id),
          UNIQUE KEY u_si (si, id),
          KEY k_vc (vc(10)),
          SPATIAL KEY sp_g (g)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='shapes \\ ''quoted'''
        """;

    public const string InnoDbRows = """
        INSERT INTO shapes (si, vc, en, st, b1, b2, g, h, js, ck, cm, `we``ird`) VALUES
          (1, 'one', 'x\\', 'r,x\\', 0x0102, x'C328', ST_GeomFromText('POINT(1 2)', 4326), ST_GeomFromText('POINT(3 4)', 3857), '{"a":1}', 2, 'c', 9),
          (2, 'two\\', 'b''c', '', 0xFFFF, NULL, ST_GeomFromText('POINT(5 6)', 4326), NULL, NULL, 3, NULL, 8)
        """;

    public const string MyIsam = """
        CREATE TABLE legacy_myisam (
          id int(10) unsigned zerofill NOT NULL AUTO_INCREMENT,
          en enum('x\\','y') DEFAULT NULL,
          p varchar(10) DEFAULT 'C:\\',
          b1 binary(2) NOT NULL DEFAULT 0xFF00,
          ts timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
          g point REF_SYSTEM_ID=4326 NOT NULL,
          cm varchar(5) COMMENT 'back\\slash',
          PRIMARY KEY (id)
        ) ENGINE=MyISAM DEFAULT CHARSET=latin1 ROW_FORMAT=FIXED
        """;

    public const string Aria = """
        CREATE TABLE legacy_aria (
          id int NOT NULL AUTO_INCREMENT,
          en enum('x\\','y') DEFAULT 'y',
          b2 varbinary(4) DEFAULT x'C328',
          d decimal(5,2) unsigned DEFAULT 1.50,
          h geometry REF_SYSTEM_ID=3857 DEFAULT NULL,
          PRIMARY KEY (id)
        ) ENGINE=Aria TRANSACTIONAL=1 PAGE_CHECKSUM=1
        """;

    public const string Partitioned = """
        CREATE TABLE parted (
          id int NOT NULL,
          at date NOT NULL DEFAULT '2024-01-01',
          v varchar(10) DEFAULT 'x\\',
          b1 binary(2) NOT NULL DEFAULT 0xFF00,
          PRIMARY KEY (id, at)
        ) ENGINE=InnoDB PARTITION BY RANGE (year(at)) (PARTITION p0 VALUES LESS THAN (2020), PARTITION p1 VALUES LESS THAN MAXVALUE)
        """;

    public const string Versioned = """
        CREATE TABLE versioned (
          id int NOT NULL PRIMARY KEY,
          v varchar(10) DEFAULT 'x\\',
          e enum('x\\','y') DEFAULT NULL,
          n int WITHOUT SYSTEM VERSIONING DEFAULT 3
        ) ENGINE=InnoDB WITH SYSTEM VERSIONING
        """;

    public static readonly string[] Setup =
    [
        InnoDb, InnoDbRows,
        MyIsam, "INSERT INTO legacy_myisam (en, p, b1, g, cm) VALUES ('x\\\\', 'q\\\\', 0x00FF, ST_GeomFromText('POINT(1 1)', 4326), 'z')",
        Aria, "INSERT INTO legacy_aria (en, b2, h) VALUES ('x\\\\', 0xC3, NULL), ('y', NULL, ST_GeomFromText('POINT(0 0)', 3857))",
        Partitioned, "INSERT INTO parted (id, at, v) VALUES (1, '2019-05-05', 'a\\\\'), (2, '2024-05-05', DEFAULT)",
        Versioned, "INSERT INTO versioned (id, v, e) VALUES (1, 'a', 'x\\\\'), (2, DEFAULT, 'y')", "UPDATE versioned SET v = 'b' WHERE id = 1",
    ];

    public static readonly string[] Tables = ["shapes", "legacy_myisam", "legacy_aria", "parted", "versioned"];
}

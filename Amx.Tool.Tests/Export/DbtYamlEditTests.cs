using System.Text;
using Amx.Data.Export.Dbt;
using Amx.Data.Warehouse;

namespace Amx.Tool.Tests.Export;

/// <summary>The dbt YAML editor in process, on cases the CLI tests do not reach: a block scalar replaced, a byte-order
/// mark with CRLF, descriptions that are anchors or aliases.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class DbtYamlEditTests
{
    [Test]
    public void Block_scalar_is_replaced_whole_bom_and_crlf_stay_and_anchors_are_left_alone()
    {
        var dir = Directory.CreateTempSubdirectory("amx-dbt-edit-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "dbt_project.yml"), "name: p\n");
            Directory.CreateDirectory(Path.Combine(dir, "models"));
            var before = "models:\n  - name: t\n    description: |\n      Old text\n      more  \n\n    columns:\n      - name: a\n        description: &d \"anchored\"\n      - name: b\n        description: *d\n";
            var path = Path.Combine(dir, "models", "m.yml");
            File.WriteAllText(path, before.Replace("\n", "\r\n"), new UTF8Encoding(true));

            var result = new DbtExport.Editor(DbtProject.Load(dir), overwrite: true).Run(
                [(new QualifiedName("shop", "t"), "New text"), (new QualifiedName("shop", "t", "a"), "x"), (new QualifiedName("shop", "t", "b"), "y")], dryRun: false);

            var bytes = File.ReadAllBytes(path);
            Assert.That(bytes.Take(3), Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "the byte-order mark stays");
            var expected = before.Replace("description: |\n      Old text\n      more  \n", "description: New text\n").Replace("\n", "\r\n");
            Assert.That(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3), Is.EqualTo(expected));
            Assert.That(result.Changes.Select(c => (c.Target, c.Action, c.Line)), Is.EqualTo(new[]
            {
                ("shop.t", DbtActions.Overwritten, (int?)2), ("shop.t.a", DbtActions.Skipped, (int?)8), ("shop.t.b", DbtActions.Skipped, (int?)10),
            }));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [TestCase("plain words", false, "plain words")]
    [TestCase("yes", false, "\"yes\"")]
    [TestCase("a: b", false, "\"a: b\"")]
    [TestCase("x, y", true, "\"x, y\"")]
    [TestCase("x, y", false, "x, y")]
    [TestCase("tab\there", false, "\"tab\\there\"")]
    [TestCase("bell\u0007", false, "\"bell\\u0007\"")]
    [TestCase("two\nlines", false, "|-\n    two\n    lines")]
    [TestCase("two\nlines", true, "\"two\\nlines\"")]
    [TestCase(" lead\nx", false, "\" lead\\nx\"")]
    public void Scalars_read_back_as_the_text(string text, bool flow, string expected)
    {
        var rendered = YamlText.Scalar(text, 4, "\n", flow);
        Assert.That(rendered, Is.EqualTo(expected));
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(flow ? "k: [{d: " + rendered + "}]\n" : "k:\n  d: " + rendered + "\n"));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)stream.Documents[0].RootNode;
        var holder = flow ? (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlSequenceNode)root["k"]).Children[0]
                          : (YamlDotNet.RepresentationModel.YamlMappingNode)root["k"];
        Assert.That(((YamlDotNet.RepresentationModel.YamlScalarNode)holder["d"]).Value, Is.EqualTo(text));
    }
}

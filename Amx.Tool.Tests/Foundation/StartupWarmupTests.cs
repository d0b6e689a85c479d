using Amx.Data.Config;
using Amx.Data.Connections;
using Amx.Data.Security;

namespace Amx.Tool.Tests.Foundation;

/// <summary>
/// The start-up warm-up (Amx.Tool/Hosting/StartupWarmup) swallows what fails, since the command meets the same code
/// again: these make sure each step really runs, and touches nothing outside the process.
/// </summary>
[Category("Quick")]
public class StartupWarmupTests
{
    [Test]
    public void Each_warm_up_step_runs_without_failing_and_leaves_nothing_behind()
    {
        var hadConfig = File.Exists("config.yml");
        Assert.DoesNotThrow(ConfigStore.WarmUp, "the config parse");
        Assert.DoesNotThrow(NpgsqlWithoutTypeLoading.WarmUp, "Npgsql's set-up and SCRAM's primitives");
        Assert.That(File.Exists("config.yml"), Is.EqualTo(hadConfig), "the placeholder config is parsed, never written");
        Assert.That(Redactor.Redact("localhost warm up"), Is.EqualTo("localhost warm up"), "no value registered as a secret");
    }
}

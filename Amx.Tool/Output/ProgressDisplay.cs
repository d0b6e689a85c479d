using System.Diagnostics;
using Amx.Data.Drafting;
using Amx.Tool.Hosting;
using Spectre.Console;

namespace Amx.Tool.Output;

/// <summary>
/// Progress for long work: a Spectre.Console bar on a terminal; plain lines on stderr otherwise (CI logs, cron),
/// at most one every five seconds plus the last.
/// </summary>
public static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(CommandContext ctx, string label, Func<IProgress<RunProgress>, Task<T>> work)
    {
        if (ctx.IsInteractive && !Console.IsErrorRedirected && ctx.Globals.Output != OutputFormat.Json)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return await console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async p =>
                {
                    var task = p.AddTask(label, maxValue: 1);
                    var sink = new Progress<RunProgress>(r =>
                    {
                        task.MaxValue = Math.Max(1, r.Total);
                        task.Value = r.Done;
                        task.Description = r.Failed > 0 ? $"{label} ({r.Failed} failed)" : label;
                    });
                    return await work(sink);
                });
        }
        var lines = new PlainLines(ctx.Err, label);
        var result = await work(lines);
        lines.Last();
        return result;
    }

    sealed class PlainLines(TextWriter err, string label) : IProgress<RunProgress>
    {
        readonly Stopwatch _since = Stopwatch.StartNew();
        RunProgress _last;
        bool _printedLast;

        public void Report(RunProgress value)
        {
            lock (this)
            {
                _last = value;
                _printedLast = false;
                if (_since.Elapsed < TimeSpan.FromSeconds(5)) return;
                Print();
            }
        }

        public void Last()
        {
            lock (this) if (!_printedLast && _last.Total > 0) Print();
        }

        void Print()
        {
            var pct = _last.Total == 0 ? 100 : 100 * _last.Done / _last.Total;
            err.WriteLine($"{label}: {_last.Done}/{_last.Total} ({pct}%){(_last.Failed > 0 ? $", {_last.Failed} failed" : "")}");
            _since.Restart();
            _printedLast = true;
        }
    }
}

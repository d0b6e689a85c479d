using System.Diagnostics;
using System.Globalization;
using Amx.Data.Drafting;
using Amx.Tool.Hosting;
using Spectre.Console;

namespace Amx.Tool.Output;

/// <summary>
/// Progress for long work (run, run-apply, apply): a Spectre.Console bar on a terminal; otherwise (CI logs, cron)
/// plain lines on stderr with counts, elapsed time and ETA — no escape codes — when the count moves (at most one
/// every five seconds) and at least every 30 seconds while it does not (docs/ci-and-cron.md).
/// </summary>
public static class ProgressDisplay
{
    /// <summary>Seconds between the plain lines when nothing moves; <c>AMX_PROGRESS_INTERVAL</c> changes it (CI logs, tests).</summary>
    const string IntervalVariable = "AMX_PROGRESS_INTERVAL";

    /// <param name="finalLine">Print the closing count even when the work was too quick for any line before it. Off
    /// for <c>apply</c>, whose stderr should start with its own <c>error:</c> line when a quick apply fails.</param>
    public static async Task<T> RunAsync<T>(CommandContext ctx, string label, Func<IProgress<RunProgress>, Task<T>> work, bool finalLine = true)
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
        using var lines = new PlainLines(ctx.Err, label, HeartbeatInterval(ctx), finalLine);
        var result = await work(lines);
        lines.Last();
        return result;
    }

    /// <summary>Adapts a (done, total) progress such as apply's to the display.</summary>
    public static IProgress<(int Done, int Total)> Counts(IProgress<RunProgress> sink) => new CountsAdapter(sink);

    sealed class CountsAdapter(IProgress<RunProgress> sink) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => sink.Report(new RunProgress(value.Done, value.Total, 0));
    }

    static TimeSpan HeartbeatInterval(CommandContext ctx) =>
        double.TryParse(ctx.Env.Variable(IntervalVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(Math.Min(s, 30))
            : TimeSpan.FromSeconds(30);

    /// <summary>Plain lines for logs. Reports come from worker threads; the timer keeps the log alive when they stall.</summary>
    sealed class PlainLines : IProgress<RunProgress>, IDisposable
    {
        readonly TextWriter _err;
        readonly string _label;
        readonly TimeSpan _heartbeat;
        readonly TimeSpan _minGap;
        readonly bool _finalLine;
        readonly Stopwatch _elapsed = Stopwatch.StartNew();
        readonly Stopwatch _sinceLine = Stopwatch.StartNew();
        readonly Timer _timer;
        readonly Lock _gate = new();
        RunProgress _last;
        bool _any, _printedLast, _printedAny, _done;

        public PlainLines(TextWriter err, string label, TimeSpan heartbeat, bool finalLine)
        {
            _finalLine = finalLine;
            _err = err;
            _label = label;
            _heartbeat = heartbeat;
            _minGap = heartbeat < TimeSpan.FromSeconds(5) ? heartbeat : TimeSpan.FromSeconds(5);
            var tick = heartbeat / 2;
            _timer = new Timer(_ => Tick(), null, tick, tick);
        }

        public void Report(RunProgress value)
        {
            lock (_gate)
            {
                _last = value;
                _any = true;
                _printedLast = false;
                // Without a closing line, a report that completes the work is only printed after earlier lines.
                var closing = value.Total > 0 && value.Done >= value.Total;
                if (!_done && _sinceLine.Elapsed >= _minGap && (_finalLine || !closing || _printedAny)) Print();
            }
        }

        void Tick()
        {
            lock (_gate)
                if (!_done && _sinceLine.Elapsed >= _heartbeat) Print();
        }

        public void Last()
        {
            lock (_gate)
            {
                if (_any && !_printedLast && (_finalLine || _printedAny)) Print();
                _done = true;
            }
        }

        void Print()
        {
            var elapsed = _elapsed.Elapsed;
            var text = !_any
                ? $"{_label}: starting, {Duration(elapsed)} elapsed"
                : $"{_label}: {_last.Done}/{_last.Total} ({(_last.Total == 0 ? 100 : 100 * _last.Done / _last.Total)}%)" +
                  (_last.Failed > 0 ? $", {_last.Failed} failed" : "") +
                  $", {Duration(elapsed)} elapsed, ETA {Eta(elapsed)}";
            _err.WriteLine(text);
            _err.Flush();
            _sinceLine.Restart();
            _printedLast = _any;
            _printedAny = true;
        }

        string Eta(TimeSpan elapsed)
        {
            if (_last.Total > 0 && _last.Done >= _last.Total) return "0s";
            if (_last.Done <= 0) return "unknown";
            return Duration(elapsed * ((double)(_last.Total - _last.Done) / _last.Done));
        }

        static string Duration(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m"
            : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{(int)t.TotalSeconds}s";

        public void Dispose()
        {
            lock (_gate) _done = true;
            _timer.Dispose();
        }
    }
}

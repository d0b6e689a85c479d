namespace Amx.Data;
public static class StageTrace
{
    static readonly bool On = Environment.GetEnvironmentVariable("AMX_STAGES") == "1";
    static readonly List<(string, DateTime)> Marks = new();
    public static void Mark(string name) { if (On) lock (Marks) Marks.Add((name, DateTime.UtcNow)); }
    public static void Print()
    {
        if (!On) return;
        var start = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
        lock (Marks) foreach (var (n, t) in Marks) Console.Error.WriteLine($"{(t - start).TotalMilliseconds,7:F1} {n}");
    }
}

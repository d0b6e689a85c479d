using System.Collections.Concurrent;

namespace Amx.Tool.Tests.Cloud;

/// <summary>Service-account key files a fixture writes for the fake BigQuery, deleted when the fixture ends.</summary>
sealed class TempKeyFiles(string prefix)
{
    readonly ConcurrentBag<string> _files = [];

    public string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        _files.Add(path);
        return path;
    }

    public void DeleteAll()
    {
        foreach (var f in _files) File.Delete(f);
    }
}

using System.Collections;
using System.Data.Common;
using System.Globalization;

namespace Amx.Data.Warehouse.Http;

/// <summary>Reads an <see cref="HttpSqlResult"/> row by row, fetching the next page (partition, chunk) when one runs out.</summary>
public sealed class HttpSqlDataReader(HttpSqlResult result) : DbDataReader
{
    IReadOnlyList<string?[]>? _page = result.FirstPage;
    int _index = -1;
    bool _closed;

    string?[] Row => _page is not null && _index >= 0 && _index < _page.Count ? _page[_index] : throw new InvalidOperationException("no current row");

    public override bool Read() => ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<bool> ReadAsync(CancellationToken ct)
    {
        while (_page is not null)
        {
            if (++_index < _page.Count) return true;
            _page = await result.NextPageAsync(ct);
            _index = -1;
        }
        return false;
    }

    public override int FieldCount => result.Columns.Count;
    public override object this[int ordinal] => GetValue(ordinal);
    public override object this[string name] => GetValue(GetOrdinal(name));
    public override int Depth => 0;
    public override bool HasRows => result.FirstPage.Count > 0;
    public override bool IsClosed => _closed;
    public override int RecordsAffected => (int)Math.Min(int.MaxValue, result.RowsAffected);
    public override bool NextResult() => false;
    public override void Close() => _closed = true;

    public override string GetName(int ordinal) => result.Columns[ordinal].Name;
    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < result.Columns.Count; i++)
            if (string.Equals(result.Columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new IndexOutOfRangeException($"no column {name}");
    }
    public override string GetDataTypeName(int ordinal) => result.Columns[ordinal].TypeName;
    public override Type GetFieldType(int ordinal) => result.Columns[ordinal].Kind switch
    {
        HttpSqlValueKind.Integer => typeof(long),
        HttpSqlValueKind.Decimal => typeof(decimal),
        HttpSqlValueKind.Double => typeof(double),
        HttpSqlValueKind.Boolean => typeof(bool),
        HttpSqlValueKind.EpochTimestamp => typeof(DateTime),
        _ => typeof(string),
    };

    public override bool IsDBNull(int ordinal) => Row[ordinal] is null;

    public override object GetValue(int ordinal)
    {
        var text = Row[ordinal];
        if (text is null) return DBNull.Value;
        return result.Columns[ordinal].Kind switch
        {
            HttpSqlValueKind.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            HttpSqlValueKind.Integer or HttpSqlValueKind.Decimal when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            HttpSqlValueKind.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) => f,
            HttpSqlValueKind.Boolean => ParseBool(text),
            HttpSqlValueKind.EpochTimestamp => ParseEpoch(text),
            _ => text,
        };
    }

    /// <summary>
    /// Timestamps as seconds since the epoch, returned in UTC. Snowflake's jsonv2: a fraction of up to 9 digits, and for
    /// TIMESTAMP_TZ a second number, the zone offset in minutes + 1440, which does not move the instant. BigQuery's: a
    /// float in exponent form ("1.7009568123456E9"), microseconds at most.
    /// </summary>
    internal static DateTime ParseEpoch(string text)
    {
        if (text.Contains('E') || text.Contains('e'))
            return DateTime.UnixEpoch.AddTicks((long)Math.Round(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) * 1e6) * 10);
        var space = text.IndexOf(' ');
        var epoch = space < 0 ? text : text[..space];
        var dot = epoch.IndexOf('.');
        var seconds = long.Parse(dot < 0 ? epoch : epoch[..dot], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var ticks = 0L;
        if (dot >= 0)
        {
            // 100 ns ticks from the first seven digits of the fraction.
            var fraction = (epoch[(dot + 1)..] + "0000000")[..7];
            ticks = long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture);
            if (seconds < 0 || epoch.StartsWith('-')) ticks = -ticks;
        }
        return DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + ticks);
    }

    static bool ParseBool(string text) => text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase);

    public override int GetValues(object[] values)
    {
        var n = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < n; i++) values[i] = GetValue(i);
        return n;
    }

    public override string GetString(int ordinal) => Row[ordinal] ?? throw new InvalidCastException("the value is NULL");
    public override bool GetBoolean(int ordinal) => ParseBool(GetString(ordinal));
    public override long GetInt64(int ordinal) => Convert.ToInt64(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override int GetInt32(int ordinal) => Convert.ToInt32(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override short GetInt16(int ordinal) => Convert.ToInt16(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override byte GetByte(int ordinal) => Convert.ToByte(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override double GetDouble(int ordinal) => Convert.ToDouble(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override float GetFloat(int ordinal) => Convert.ToSingle(GetValue(ordinal), CultureInfo.InvariantCulture);
    public override DateTime GetDateTime(int ordinal) => result.Columns[ordinal].Kind == HttpSqlValueKind.EpochTimestamp
        ? ParseEpoch(GetString(ordinal))
        : DateTime.Parse(GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    public override Guid GetGuid(int ordinal) => Guid.Parse(GetString(ordinal));
    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("binary values are not read over the SQL HTTP APIs");

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var s = GetString(ordinal);
        if (buffer is null) return s.Length;
        var n = (int)Math.Max(0, Math.Min(length, s.Length - dataOffset));
        s.CopyTo((int)dataOffset, buffer, bufferOffset, n);
        return n;
    }

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);
}

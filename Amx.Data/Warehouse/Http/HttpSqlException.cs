using System.Data.Common;
using System.Net;

namespace Amx.Data.Warehouse.Http;

/// <summary>
/// A failed statement of a SQL-over-HTTP API: the vendor's own error code and message (never the request, which
/// carries the credentials). A <see cref="DbException"/>, so the comment writers and <c>OpenAsync</c> treat it like
/// any driver's error.
/// </summary>
public sealed class HttpSqlException(string message, string? vendorCode = null, string? sqlState = null, HttpStatusCode? status = null, Exception? inner = null)
    : DbException(message, inner)
{
    /// <summary>The API's error code (Snowflake <c>002003</c>, Databricks <c>TABLE_OR_VIEW_NOT_FOUND</c>, BigQuery <c>notFound</c>).</summary>
    public string? VendorCode { get; } = vendorCode;
    public override string? SqlState { get; } = sqlState;
    public HttpStatusCode? Status { get; } = status;
    public bool IsAuthFailure => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}

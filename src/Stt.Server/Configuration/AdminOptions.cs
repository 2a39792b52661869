namespace Stt.Server.Configuration;

/// <summary>The JSON admin API under <c>/admin</c> (<c>Stt:Admin</c>).</summary>
internal sealed class AdminOptions
{
    /// <summary>
    /// A bearer token the admin API requires. Empty: only requests from a loopback address are served, and every
    /// other gets 403. Set: every request must carry <c>Authorization: Bearer &lt;token&gt;</c>, loopback or not.
    /// </summary>
    public string Token { get; set; } = string.Empty;
}

namespace Stt.Server.Sessions;

/// <summary>The transport names the node uses in metrics, logs and the admin API.</summary>
internal static class TransportNames
{
    /// <summary>Sessions over the UDP endpoint.</summary>
    public const string Udp = "udp";

    /// <summary>Sessions over the WebSocket endpoint.</summary>
    public const string WebSocket = "websocket";
}

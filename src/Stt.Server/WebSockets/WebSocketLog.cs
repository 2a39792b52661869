namespace Stt.Server.WebSockets;

/// <summary>The WebSocket endpoint's log lines.</summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "WebSocket upgrade from origin '{Origin}' refused: not in Stt:WebSocket:AllowedOrigins")]
    public static partial void OriginRefused(ILogger logger, string origin);
}

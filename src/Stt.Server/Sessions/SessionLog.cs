namespace Stt.Server.Sessions;

/// <summary>The session manager's log lines.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Session {SessionId:x16} disconnected by the operator: {Reason}")]
    public static partial void Disconnected(ILogger logger, ulong sessionId, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Session {SessionId:x16} over {Transport} refused: {Reason}")]
    public static partial void Rejected(ILogger logger, ulong sessionId, string transport, string reason);
}

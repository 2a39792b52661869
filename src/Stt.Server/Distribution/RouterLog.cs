namespace Stt.Server.Distribution;

/// <summary>Log lines of the distribution handlers.</summary>
internal static partial class RouterLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Stream {StreamId} of session {SessionId:x16} ({Kind}) failed; the stream was reset")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, ulong sessionId, int streamId, string kind);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Session {SessionId:x16} closed as a slow consumer of channel {Channel}")]
    public static partial void SlowConsumer(ILogger logger, ulong sessionId, string channel);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Chunk {ChunkIndex} of content {ContentId} failed verification on disk; the fetch on session {SessionId:x16} got INTEGRITY_FAILURE")]
    public static partial void IntegrityFailure(ILogger logger, int chunkIndex, string contentId, ulong sessionId);
}

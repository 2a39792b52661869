using Stt.Protocol.Distribution;

namespace Stt.Server.Content;

/// <summary>The content store's log messages.</summary>
internal static partial class ContentStoreLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Content store at {Root} opened with {Count} manifests")]
    public static partial void Opened(ILogger logger, string root, int count);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Manifest file {File} quarantined: {Reason}")]
    public static partial void ManifestQuarantined(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error,
        Message = "Integrity failure: chunk {ChunkIndex} ({ChunkHash}) of content {ContentId} is {Status}; not served")]
    public static partial void IntegrityFailure(ILogger logger, int chunkIndex, string chunkHash, ContentId contentId, ChunkReadStatus status);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information,
        Message = "Content {ContentId} added: {Length} bytes in {ChunkCount} chunks, {NewChunks} new")]
    public static partial void ContentAdded(ILogger logger, ContentId contentId, long length, int chunkCount, int newChunks);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Could not delete temporary content files at {Path}")]
    public static partial void TempCleanupFailed(ILogger logger, string path, Exception exception);
}

using Stt.Protocol.Distribution;

namespace Stt.Server.Content;

/// <summary>Raised by <see cref="ContentStore.IntegrityFailure"/> the first time a chunk fails verification.</summary>
public sealed class ContentIntegrityFailureEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public ContentIntegrityFailureEventArgs(ContentId contentId, int chunkIndex, string chunkHash, ChunkReadStatus status)
    {
        ContentId = contentId;
        ChunkIndex = chunkIndex;
        ChunkHash = chunkHash;
        Status = status;
    }

    /// <summary>The content whose chunk was being read.</summary>
    public ContentId ContentId { get; }

    /// <summary>Index of the chunk in that content's manifest.</summary>
    public int ChunkIndex { get; }

    /// <summary>The chunk's expected SHA-256, lowercase hex (its file name).</summary>
    public string ChunkHash { get; }

    /// <summary>What was wrong.</summary>
    public ChunkReadStatus Status { get; }
}

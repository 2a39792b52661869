namespace Stt.Client;

/// <summary>How <see cref="SttClient.FetchAsync"/> and <see cref="SttClient.FetchToFileAsync(Stt.Protocol.Distribution.ContentId, string, FetchOptions?, CancellationToken)"/> download chunks.</summary>
public sealed class FetchOptions
{
    /// <summary>The defaults: 16 chunks per request, 2 requests in flight.</summary>
    public static FetchOptions Default { get; } = new();

    /// <summary>Chunks asked for by one GET_CHUNKS request. Defaults to 16; at least 1.</summary>
    public int ChunksPerRequest { get; init; } = 16;

    /// <summary>
    /// GET_CHUNKS requests in flight at once, each on its own stream. Defaults to 2; at least 1. Chunks are still written
    /// to the destination in order, so up to this many batches are buffered in memory.
    /// </summary>
    public int MaxParallelRequests { get; init; } = 2;

    /// <summary>Reports the number of content bytes verified and written so far (including resumed bytes).</summary>
    public IProgress<long>? Progress { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunksPerRequest, 1, nameof(ChunksPerRequest));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelRequests, 1, nameof(MaxParallelRequests));
    }
}

namespace Stt.Protocol.Distribution;

/// <summary>
/// A parsed distribution request: the first message a client sends on a stream (docs/distribution.md, section 3).
/// Only the fields of <see cref="Kind"/> are meaningful; the others keep their defaults.
/// </summary>
/// <remarks>
/// Create one with the factory methods, which throw <see cref="ArgumentException"/> for fields the protocol does
/// not allow; <see cref="DistributionRequestReader"/> produces them from peer bytes without throwing.
/// </remarks>
public readonly record struct DistributionRequest
{
    /// <summary>What the stream is for.</summary>
    public DistributionRequestKind Kind { get; init; }

    /// <summary>PUBLISH, SUBSCRIBE: the channel name.</summary>
    public string? ChannelName { get; init; }

    /// <summary>SUBSCRIBE: where the subscription starts.</summary>
    public SubscribeOptions Options { get; init; }

    /// <summary>GET_MANIFEST, GET_CHUNKS: the content.</summary>
    public ContentId ContentId { get; init; }

    /// <summary>GET_CHUNKS: index of the first chunk.</summary>
    public ulong FirstChunk { get; init; }

    /// <summary>GET_CHUNKS: number of chunks, at least 1.</summary>
    public ulong ChunkCount { get; init; }

    /// <summary>LIST_CONTENT: list entries whose ID is greater than this one; <see langword="null"/> to start at the beginning.</summary>
    public ContentId? Cursor { get; init; }

    /// <summary>LIST_CONTENT: most entries wanted; 0 lets the server choose.</summary>
    public ulong Limit { get; init; }

    /// <summary>PUT_CONTENT: the content's name; <see langword="null"/> for none.</summary>
    public string? ContentName { get; init; }

    /// <summary>PUT_CONTENT: total length of the content in bytes.</summary>
    public ulong TotalLength { get; init; }

    /// <summary>PUT_CONTENT: chunk size in bytes, 1 to <see cref="DistributionLimits.MaxChunkSize"/>.</summary>
    public ulong ChunkSize { get; init; }

    /// <summary>A PUBLISH request.</summary>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    public static DistributionRequest Publish(string channel)
    {
        CheckChannel(channel);
        return new DistributionRequest { Kind = DistributionRequestKind.Publish, ChannelName = channel };
    }

    /// <summary>A SUBSCRIBE request.</summary>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name, or <paramref name="options"/> has unknown bits.</exception>
    public static DistributionRequest Subscribe(string channel, SubscribeOptions options)
    {
        CheckChannel(channel);
        if ((options & ~SubscribeOptions.Replay) != 0)
        {
            throw new ArgumentException("Unknown subscribe option bits.", nameof(options));
        }

        return new DistributionRequest { Kind = DistributionRequestKind.Subscribe, ChannelName = channel, Options = options };
    }

    /// <summary>A GET_MANIFEST request.</summary>
    public static DistributionRequest GetManifest(ContentId id) =>
        new() { Kind = DistributionRequestKind.GetManifest, ContentId = id };

    /// <summary>A GET_CHUNKS request for chunks <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is 0, or the range ends past 2^62.</exception>
    public static DistributionRequest GetChunks(ContentId id, ulong first, ulong count)
    {
        if (!IsValidRange(first, count))
        {
            throw new ArgumentOutOfRangeException(nameof(count), "A chunk range holds at least one chunk and ends at or below 2^62.");
        }

        return new DistributionRequest { Kind = DistributionRequestKind.GetChunks, ContentId = id, FirstChunk = first, ChunkCount = count };
    }

    /// <summary>A LIST_CONTENT request.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> exceeds the varint range.</exception>
    public static DistributionRequest ListContent(ContentId? cursor, ulong limit)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, Encoding.Varint.MaxValue);
        return new DistributionRequest { Kind = DistributionRequestKind.ListContent, Cursor = cursor, Limit = limit };
    }

    /// <summary>A PUT_CONTENT request.</summary>
    /// <exception cref="ArgumentException">The name is too long or has control characters, the total length exceeds the varint range, or the chunk size is out of range.</exception>
    public static DistributionRequest PutContent(string? name, ulong totalLength, ulong chunkSize)
    {
        Span<byte> scratch = stackalloc byte[1 + DistributionLimits.MaxContentNameLength];
        int offset = 0;
        if (!DistributionRequestWriter.TryWriteContentName(scratch, ref offset, name))
        {
            throw new ArgumentException("A content name is at most 255 UTF-8 bytes with no control characters.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(totalLength, Encoding.Varint.MaxValue);
        ArgumentOutOfRangeException.ThrowIfZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, DistributionLimits.MaxChunkSize);
        return new DistributionRequest
        {
            Kind = DistributionRequestKind.PutContent,
            ContentName = string.IsNullOrEmpty(name) ? null : name,
            TotalLength = totalLength,
            ChunkSize = chunkSize,
        };
    }

    internal static bool IsValidRange(ulong first, ulong count) =>
        count != 0 && first <= Encoding.Varint.MaxValue && count <= Encoding.Varint.MaxValue + 1 - first;

    private static void CheckChannel(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (!Distribution.ChannelName.IsValid(channel.AsSpan()))
        {
            throw new ArgumentException("A channel name is 1 to 128 characters of A-Z a-z 0-9 . _ - / in non-empty segments.", nameof(channel));
        }
    }
}

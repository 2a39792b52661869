using System.Buffers;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

// Request: the first client message of a stream (docs/distribution.md, section 3). (vi) is a minimal QUIC varint.
//
// +------+-----------------+------+
// | 0x01 | name length (1) | name |                                                      PUBLISH
// +------+-----------------+------+
// +------+-----------------+------+-------------+
// | 0x02 | name length (1) | name | options (1) |                                        SUBSCRIBE
// +------+-----------------+------+-------------+
// +------+-----------------+
// | 0x03 | content ID (32) |                                                           GET_MANIFEST
// +------+-----------------+
// +------+-----------------+------------+------------+
// | 0x04 | content ID (32) | first (vi) | count (vi) |                                  GET_CHUNKS
// +------+-----------------+------------+------------+
// +------+-----------+-------------------------------+------------+
// | 0x05 | flags (1) | cursor (32, if flags bit 0)   | limit (vi) |                      LIST_CONTENT
// +------+-----------+-------------------------------+------------+
// +------+-------------------+-----------------+-----------------+------+
// | 0x06 | total length (vi) | chunk size (vi) | name length (1) | name |                PUT_CONTENT
// +------+-------------------+-----------------+-----------------+------+

/// <summary>Parses the request that opens a distribution stream (docs/distribution.md, section 3).</summary>
/// <remarks>
/// The input is peer data: <see cref="TryRead"/> never throws. It reports <see cref="DistributionStatus.UnknownKind"/>
/// for a kind byte it does not know; <see cref="DistributionStatus.InvalidRange"/> for a GET_CHUNKS range that is
/// empty or ends past 2^62; <see cref="DistributionStatus.TooLarge"/> for a PUT_CONTENT chunk size above
/// <see cref="DistributionLimits.MaxChunkSize"/>; and <see cref="DistributionStatus.MalformedRequest"/> for
/// everything else that is wrong: an empty message, a truncated field, trailing bytes, a non-minimal varint, an
/// invalid channel or content name, unknown option or flag bits, a zero chunk size. Names are the only allocation.
/// </remarks>
public static class DistributionRequestReader
{
    /// <summary>Parses one whole request message.</summary>
    /// <param name="message">The client's first message on the stream.</param>
    /// <param name="request">The request, when the result is <see langword="true"/>; otherwise <see langword="default"/>.</param>
    /// <param name="error">Why the request was refused (the status to answer with), when the result is <see langword="false"/>; otherwise <see cref="DistributionStatus.Ok"/>.</param>
    /// <returns>Whether the message is a valid request.</returns>
    public static bool TryRead(ReadOnlySpan<byte> message, out DistributionRequest request, out DistributionStatus error)
    {
        request = default;
        error = DistributionStatus.MalformedRequest;
        if (message.IsEmpty)
        {
            return false;
        }

        var kind = (DistributionRequestKind)message[0];
        ReadOnlySpan<byte> rest = message[1..];
        DistributionRequest parsed;
        switch (kind)
        {
            case DistributionRequestKind.Publish:
            case DistributionRequestKind.Subscribe:
                {
                    if (!TryReadChannel(ref rest, out string? channel))
                    {
                        return false;
                    }

                    var options = SubscribeOptions.None;
                    if (kind == DistributionRequestKind.Subscribe)
                    {
                        if (rest.IsEmpty || (rest[0] & ~(int)SubscribeOptions.Replay) != 0)
                        {
                            return false;
                        }

                        options = (SubscribeOptions)rest[0];
                        rest = rest[1..];
                    }

                    parsed = new DistributionRequest { Kind = kind, ChannelName = channel, Options = options };
                    break;
                }

            case DistributionRequestKind.GetManifest:
                {
                    if (!ContentId.TryRead(rest, out ContentId id))
                    {
                        return false;
                    }

                    rest = rest[ContentId.Length..];
                    parsed = new DistributionRequest { Kind = kind, ContentId = id };
                    break;
                }

            case DistributionRequestKind.GetChunks:
                {
                    if (!ContentId.TryRead(rest, out ContentId id))
                    {
                        return false;
                    }

                    rest = rest[ContentId.Length..];
                    if (!TryReadVarint(ref rest, out ulong first) || !TryReadVarint(ref rest, out ulong count) || !rest.IsEmpty)
                    {
                        return false;
                    }

                    if (!DistributionRequest.IsValidRange(first, count))
                    {
                        error = DistributionStatus.InvalidRange;
                        return false;
                    }

                    parsed = new DistributionRequest { Kind = kind, ContentId = id, FirstChunk = first, ChunkCount = count };
                    break;
                }

            case DistributionRequestKind.ListContent:
                {
                    if (rest.IsEmpty || (rest[0] & ~1) != 0)
                    {
                        return false;
                    }

                    bool hasCursor = rest[0] == 1;
                    rest = rest[1..];
                    ContentId? cursor = null;
                    if (hasCursor)
                    {
                        if (!ContentId.TryRead(rest, out ContentId id))
                        {
                            return false;
                        }

                        cursor = id;
                        rest = rest[ContentId.Length..];
                    }

                    if (!TryReadVarint(ref rest, out ulong limit))
                    {
                        return false;
                    }

                    parsed = new DistributionRequest { Kind = kind, Cursor = cursor, Limit = limit };
                    break;
                }

            case DistributionRequestKind.PutContent:
                {
                    if (!TryReadVarint(ref rest, out ulong total) || !TryReadVarint(ref rest, out ulong chunkSize)
                        || !TryReadContentName(ref rest, out string? name))
                    {
                        return false;
                    }

                    if (!rest.IsEmpty || chunkSize == 0)
                    {
                        return false;
                    }

                    if (chunkSize > DistributionLimits.MaxChunkSize)
                    {
                        error = DistributionStatus.TooLarge;
                        return false;
                    }

                    parsed = new DistributionRequest { Kind = kind, ContentName = name, TotalLength = total, ChunkSize = chunkSize };
                    break;
                }

            default:
                error = DistributionStatus.UnknownKind;
                return false;
        }

        if (!rest.IsEmpty)
        {
            return false;
        }

        request = parsed;
        error = DistributionStatus.Ok;
        return true;
    }

    internal static bool TryReadVarint(ref ReadOnlySpan<byte> source, out ulong value)
    {
        if (Varint.TryRead(source, out value, out int length) != OperationStatus.Done)
        {
            return false;
        }

        source = source[length..];
        return true;
    }

    internal static bool TryReadContentName(ref ReadOnlySpan<byte> source, out string? name)
    {
        name = null;
        if (source.IsEmpty || source.Length - 1 < source[0])
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = source.Slice(1, source[0]);
        if (!ChannelName.IsValidContentName(bytes))
        {
            return false;
        }

        name = bytes.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(bytes);
        source = source[(1 + bytes.Length)..];
        return true;
    }

    private static bool TryReadChannel(ref ReadOnlySpan<byte> source, out string? channel)
    {
        channel = null;
        if (source.IsEmpty || source.Length - 1 < source[0])
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = source.Slice(1, source[0]);
        if (!ChannelName.IsValid(bytes))
        {
            return false;
        }

        channel = System.Text.Encoding.ASCII.GetString(bytes);
        source = source[(1 + bytes.Length)..];
        return true;
    }
}

using System.Buffers;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

/// <summary>Writes the request that opens a distribution stream (docs/distribution.md, section 3).</summary>
/// <remarks>
/// The request values come from <see cref="DistributionRequest"/>'s factories, which already checked them; a
/// hand-built request with fields the protocol does not allow makes these methods throw
/// <see cref="ArgumentException"/>. Writing to a span allocates nothing but the UTF-8 encoding of a name.
/// </remarks>
public static class DistributionRequestWriter
{
    /// <summary>Returns the encoded length of <paramref name="request"/>.</summary>
    /// <exception cref="ArgumentException">The request breaks a field rule.</exception>
    public static int GetLength(in DistributionRequest request)
    {
        Span<byte> scratch = stackalloc byte[DistributionLimits.MaxRequestLength];
        return TryWrite(scratch, request, out int written) ? written : throw new ArgumentException("Request too long.", nameof(request));
    }

    /// <summary>Writes <paramref name="request"/> to the start of <paramref name="destination"/>.</summary>
    /// <returns><see langword="false"/> when the destination is too short (its content is then unspecified).</returns>
    /// <exception cref="ArgumentException">The request breaks a field rule.</exception>
    public static bool TryWrite(Span<byte> destination, in DistributionRequest request, out int written)
    {
        written = 0;
        if (destination.IsEmpty)
        {
            return false;
        }

        destination[0] = (byte)request.Kind;
        int offset = 1;
        switch (request.Kind)
        {
            case DistributionRequestKind.Publish:
            case DistributionRequestKind.Subscribe:
                {
                    string channel = request.ChannelName ?? throw new ArgumentException("No channel name.", nameof(request));
                    if (!ChannelName.IsValid(channel.AsSpan()))
                    {
                        throw new ArgumentException("Invalid channel name.", nameof(request));
                    }

                    if (destination.Length < offset + 1 + channel.Length)
                    {
                        return false;
                    }

                    destination[offset++] = (byte)channel.Length;
                    offset += System.Text.Encoding.ASCII.GetBytes(channel, destination[offset..]);
                    if (request.Kind == DistributionRequestKind.Subscribe)
                    {
                        if ((request.Options & ~SubscribeOptions.Replay) != 0)
                        {
                            throw new ArgumentException("Unknown subscribe option bits.", nameof(request));
                        }

                        if (destination.Length <= offset)
                        {
                            return false;
                        }

                        destination[offset++] = (byte)request.Options;
                    }

                    break;
                }

            case DistributionRequestKind.GetManifest:
                if (!request.ContentId.TryWrite(destination[offset..]))
                {
                    return false;
                }

                offset += ContentId.Length;
                break;

            case DistributionRequestKind.GetChunks:
                if (!DistributionRequest.IsValidRange(request.FirstChunk, request.ChunkCount))
                {
                    throw new ArgumentException("Invalid chunk range.", nameof(request));
                }

                if (!request.ContentId.TryWrite(destination[offset..]))
                {
                    return false;
                }

                offset += ContentId.Length;
                if (!TryWriteVarint(destination, ref offset, request.FirstChunk) || !TryWriteVarint(destination, ref offset, request.ChunkCount))
                {
                    return false;
                }

                break;

            case DistributionRequestKind.ListContent:
                if (destination.Length <= offset)
                {
                    return false;
                }

                destination[offset++] = request.Cursor.HasValue ? (byte)1 : (byte)0;
                if (request.Cursor is { } cursor)
                {
                    if (!cursor.TryWrite(destination[offset..]))
                    {
                        return false;
                    }

                    offset += ContentId.Length;
                }

                if (!TryWriteVarint(destination, ref offset, request.Limit))
                {
                    return false;
                }

                break;

            case DistributionRequestKind.PutContent:
                if (request.ChunkSize is 0 or > DistributionLimits.MaxChunkSize)
                {
                    throw new ArgumentException("Invalid chunk size.", nameof(request));
                }

                if (!TryWriteVarint(destination, ref offset, request.TotalLength)
                    || !TryWriteVarint(destination, ref offset, request.ChunkSize)
                    || !TryWriteContentName(destination, ref offset, request.ContentName))
                {
                    return false;
                }

                break;

            default:
                throw new ArgumentException("Unknown request kind.", nameof(request));
        }

        written = offset;
        return true;
    }

    /// <summary>Writes <paramref name="request"/> to <paramref name="writer"/>.</summary>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">The request breaks a field rule.</exception>
    public static int Write(IBufferWriter<byte> writer, in DistributionRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> destination = writer.GetSpan(DistributionLimits.MaxRequestLength);
        if (!TryWrite(destination, request, out int written))
        {
            throw new ArgumentException("Request too long.", nameof(request));
        }

        writer.Advance(written);
        return written;
    }

    /// <summary>Writes a PUBLISH request (see <see cref="DistributionRequest.Publish"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int WritePublish(IBufferWriter<byte> writer, string channel) => Write(writer, DistributionRequest.Publish(channel));

    /// <summary>Writes a SUBSCRIBE request (see <see cref="DistributionRequest.Subscribe"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteSubscribe(IBufferWriter<byte> writer, string channel, SubscribeOptions options) =>
        Write(writer, DistributionRequest.Subscribe(channel, options));

    /// <summary>Writes a GET_MANIFEST request.</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteGetManifest(IBufferWriter<byte> writer, ContentId id) => Write(writer, DistributionRequest.GetManifest(id));

    /// <summary>Writes a GET_CHUNKS request (see <see cref="DistributionRequest.GetChunks"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteGetChunks(IBufferWriter<byte> writer, ContentId id, ulong first, ulong count) =>
        Write(writer, DistributionRequest.GetChunks(id, first, count));

    /// <summary>Writes a LIST_CONTENT request (see <see cref="DistributionRequest.ListContent"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteListContent(IBufferWriter<byte> writer, ContentId? cursor, ulong limit) =>
        Write(writer, DistributionRequest.ListContent(cursor, limit));

    /// <summary>Writes a PUT_CONTENT request (see <see cref="DistributionRequest.PutContent"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int WritePutContent(IBufferWriter<byte> writer, string? name, ulong totalLength, ulong chunkSize) =>
        Write(writer, DistributionRequest.PutContent(name, totalLength, chunkSize));

    internal static bool TryWriteVarint(Span<byte> destination, ref int offset, ulong value)
    {
        int length = Varint.Write(destination[offset..], value);
        offset += length;
        return length != 0;
    }

    /// <exception cref="ArgumentException">The name is not valid UTF-16 (an unpaired surrogate), is over 255 UTF-8 bytes, or has control characters.</exception>
    internal static bool TryWriteContentName(Span<byte> destination, ref int offset, string? name)
    {
        Span<byte> bytes = stackalloc byte[DistributionLimits.MaxContentNameLength];
        int length = 0;
        if (!string.IsNullOrEmpty(name))
        {
            if (System.Text.Unicode.Utf8.FromUtf16(name, bytes, out _, out length, false, true)
                != OperationStatus.Done || !ChannelName.IsValidContentName(bytes[..length]))
            {
                throw new ArgumentException("A content name is at most 255 UTF-8 bytes with no control characters.", nameof(name));
            }
        }

        if (destination.Length < offset + 1 + length)
        {
            return false;
        }

        destination[offset++] = (byte)length;
        bytes[..length].CopyTo(destination[offset..]);
        offset += length;
        return true;
    }
}

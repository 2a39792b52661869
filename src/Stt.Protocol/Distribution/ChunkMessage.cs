using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

// A chunk as GET_CHUNKS returns it (docs/distribution.md, section 4.4):
//
// +------+------------+--------------+
// | 0x00 | index (vi) | chunk bytes  |
// +------+------------+--------------+

/// <summary>The DATA messages of a GET_CHUNKS stream: the chunk index, then the chunk's bytes.</summary>
/// <remarks>Allocation-free. <see cref="TryRead"/> takes peer input, never throws, and returns <see langword="false"/> for anything malformed.</remarks>
public static class ChunkMessage
{
    /// <summary>Longest header: the tag and an 8-byte varint.</summary>
    public const int MaxHeaderLength = 1 + Varint.MaxLength;

    /// <summary>Returns the header length for chunk <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int GetHeaderLength(ulong index) => 1 + Varint.GetEncodedLength(index);

    /// <summary>Writes the header; the caller appends the chunk bytes.</summary>
    /// <returns><see langword="false"/> when the destination is too short.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static bool TryWriteHeader(Span<byte> destination, ulong index, out int written) =>
        ChannelMessageHeader.TryWrite(destination, index, out written);

    /// <summary>Parses a whole chunk message; <paramref name="chunk"/> refers to <paramref name="message"/>.</summary>
    /// <returns><see langword="false"/> for a message that is not DATA, or a truncated or non-minimal index.</returns>
    public static bool TryRead(ReadOnlySpan<byte> message, out ulong index, out ReadOnlySpan<byte> chunk) =>
        ChannelMessageHeader.TryRead(message, out index, out chunk);
}

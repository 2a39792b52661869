using System.Buffers;

namespace Stt.Protocol.Encoding;

// DATA plaintext (docs/protocol.md, section 11), sealed into the frame body with the 16-byte tag after it:
//
// +-------------------+--------------------------+
// | offset (varint)   | stream bytes (0 or more) |
// +-------------------+--------------------------+

/// <summary>Reads and writes the offset that starts the plaintext of a DATA frame (docs/protocol.md, section 11).</summary>
/// <remarks>
/// The offset is the stream position of the first stream byte in the frame. Offsets are at most
/// <see cref="MaxOffset"/> (2^62 - 1), and so is the offset plus the data length: that sum becomes the stream's
/// final size on FIN, which RESET_STREAM must be able to carry as a varint.
/// </remarks>
public static class StreamDataCodec
{
    /// <summary>Largest stream offset and largest final size: <see cref="Varint.MaxValue"/>.</summary>
    public const ulong MaxOffset = Varint.MaxValue;

    /// <summary>Returns the encoded size of <paramref name="offset"/>: 1, 2, 4 or 8 bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset exceeds <see cref="MaxOffset"/>.</exception>
    public static int GetOffsetSize(ulong offset) => Varint.GetEncodedLength(offset);

    /// <summary>Writes <paramref name="offset"/> at the start of a DATA plaintext.</summary>
    /// <returns>Bytes written, or 0 when <paramref name="destination"/> is too short.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The offset exceeds <see cref="MaxOffset"/>.</exception>
    public static int WriteOffset(Span<byte> destination, ulong offset) => Varint.Write(destination, offset);

    /// <summary>Reads the offset at the start of a decrypted DATA plaintext.</summary>
    /// <param name="plaintext">The whole decrypted plaintext of one DATA frame.</param>
    /// <param name="offset">The stream offset of the first stream byte.</param>
    /// <param name="consumed">Length of the offset field; the stream bytes follow it.</param>
    /// <returns>
    /// <see langword="false"/> when the plaintext is empty, ends inside the offset, encodes it non-minimally, or
    /// carries data past <see cref="MaxOffset"/>; the plaintext authenticated, so the caller closes the session
    /// with <see cref="ProtocolErrorCode.ProtocolViolation"/>.
    /// </returns>
    public static bool TryReadOffset(ReadOnlySpan<byte> plaintext, out ulong offset, out int consumed)
    {
        if (Varint.TryRead(plaintext, out offset, out consumed) != OperationStatus.Done
            || (ulong)(plaintext.Length - consumed) > MaxOffset - offset)
        {
            offset = 0;
            consumed = 0;
            return false;
        }

        return true;
    }
}

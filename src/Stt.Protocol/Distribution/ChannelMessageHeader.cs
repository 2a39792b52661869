using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

// A channel message as a subscriber receives it (docs/distribution.md, section 4.3):
//
// +------+---------------+-----------------+
// | 0x00 | sequence (vi) | payload         |
// +------+---------------+-----------------+

/// <summary>
/// The 2 to 9 bytes the server puts before each channel message it sends a subscriber: the DATA tag and the
/// message's channel sequence number. Sequence numbers rise by one per published message, so a jump tells the
/// subscriber how many messages it was skipped past.
/// </summary>
/// <remarks>Allocation-free. <see cref="TryRead"/> takes peer input, never throws, and returns <see langword="false"/> for anything malformed.</remarks>
public static class ChannelMessageHeader
{
    /// <summary>Longest header: the tag and an 8-byte varint.</summary>
    public const int MaxLength = 1 + Varint.MaxLength;

    /// <summary>Returns the header length for <paramref name="sequence"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int GetLength(ulong sequence) => 1 + Varint.GetEncodedLength(sequence);

    /// <summary>Writes the header; the caller appends the payload.</summary>
    /// <returns><see langword="false"/> when the destination is too short.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The sequence exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static bool TryWrite(Span<byte> destination, ulong sequence, out int written)
    {
        written = 0;
        if (destination.IsEmpty)
        {
            return false;
        }

        int length = Varint.Write(destination[1..], sequence);
        if (length == 0)
        {
            return false;
        }

        destination[0] = (byte)ServerMessageTag.Data;
        written = 1 + length;
        return true;
    }

    /// <summary>Parses a whole channel message; <paramref name="payload"/> refers to <paramref name="message"/>.</summary>
    /// <returns><see langword="false"/> for a message that is not DATA, or a truncated or non-minimal sequence number.</returns>
    public static bool TryRead(ReadOnlySpan<byte> message, out ulong sequence, out ReadOnlySpan<byte> payload)
    {
        sequence = 0;
        payload = default;
        if (message.IsEmpty || message[0] != (byte)ServerMessageTag.Data)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = message[1..];
        if (!DistributionRequestReader.TryReadVarint(ref rest, out sequence))
        {
            return false;
        }

        payload = rest;
        return true;
    }
}

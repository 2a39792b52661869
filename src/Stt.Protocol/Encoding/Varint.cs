using System.Buffers.Binary;
using System.Diagnostics;

namespace Stt.Protocol.Encoding;

/// <summary>
/// Variable-length unsigned integers in the QUIC encoding (RFC 9000, section 16), with minimal encoding required.
/// </summary>
/// <remarks>
/// The two high bits of the first byte give the length: 00 = 1 byte (6-bit value), 01 = 2 bytes (14 bits),
/// 10 = 4 bytes (30 bits), 11 = 8 bytes (62 bits); the rest is the value, big-endian. STT rejects an encoding
/// longer than the shortest one for its value, so every value has exactly one encoding (docs/protocol.md, "Varints").
/// </remarks>
public static class Varint
{
    /// <summary>Largest encodable value, 2^62 - 1.</summary>
    public const ulong MaxValue = (1UL << 62) - 1;

    /// <summary>Longest encoding.</summary>
    public const int MaxLength = 8;

    /// <summary>Returns the length of the encoding whose first byte is <paramref name="firstByte"/>.</summary>
    public static int GetLengthFromFirstByte(byte firstByte) => 1 << (firstByte >> 6);

    /// <summary>Returns the encoded length of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="MaxValue"/>.</exception>
    public static int GetEncodedLength(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        return value switch
        {
            <= 63 => 1,
            <= 16383 => 2,
            <= 1073741823 => 4,
            _ => 8,
        };
    }

    /// <summary>Writes <paramref name="value"/> to the start of <paramref name="destination"/>.</summary>
    /// <returns>Bytes written, or 0 when the destination is too short.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="MaxValue"/>.</exception>
    public static int Write(Span<byte> destination, ulong value)
    {
        int length = GetEncodedLength(value);
        if (destination.Length < length)
        {
            return 0;
        }

        switch (length)
        {
            case 1:
                destination[0] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value | 0x4000));
                break;
            case 4:
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)value | 0x8000_0000u);
                break;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(destination, value | 0xC000_0000_0000_0000UL);
                break;
        }

        return length;
    }

    /// <summary>Reads a varint from the start of <paramref name="source"/>.</summary>
    /// <returns>
    /// <see cref="System.Buffers.OperationStatus.Done"/> with the value and its length;
    /// <see cref="System.Buffers.OperationStatus.NeedMoreData"/> when the source ends inside the encoding;
    /// <see cref="System.Buffers.OperationStatus.InvalidData"/> for a non-minimal encoding.
    /// </returns>
    public static System.Buffers.OperationStatus TryRead(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        length = 0;
        if (source.IsEmpty)
        {
            return System.Buffers.OperationStatus.NeedMoreData;
        }

        int needed = GetLengthFromFirstByte(source[0]);
        if (source.Length < needed)
        {
            return System.Buffers.OperationStatus.NeedMoreData;
        }

        ulong decoded;
        ulong minimum;
        switch (needed)
        {
            case 1:
                decoded = source[0];
                minimum = 0;
                break;
            case 2:
                decoded = BinaryPrimitives.ReadUInt16BigEndian(source) & 0x3FFFu;
                minimum = 64;
                break;
            case 4:
                decoded = BinaryPrimitives.ReadUInt32BigEndian(source) & 0x3FFF_FFFFu;
                minimum = 16384;
                break;
            default:
                Debug.Assert(needed == 8);
                decoded = BinaryPrimitives.ReadUInt64BigEndian(source) & 0x3FFF_FFFF_FFFF_FFFFUL;
                minimum = 1073741824;
                break;
        }

        if (decoded < minimum)
        {
            return System.Buffers.OperationStatus.InvalidData;
        }

        value = decoded;
        length = needed;
        return System.Buffers.OperationStatus.Done;
    }
}

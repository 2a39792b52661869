using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

// One LIST_CONTENT entry (docs/distribution.md, section 4.5):
//
// +------+-----------------+-------------------+------------------+-----------------+------+
// | 0x00 | content ID (32) | total length (vi) | chunk count (vi) | name length (1) | name |
// +------+-----------------+-------------------+------------------+-----------------+------+

/// <summary>One entry of a LIST_CONTENT stream, sent as one DATA message.</summary>
/// <param name="Id">The content ID.</param>
/// <param name="TotalLength">The content's length in bytes.</param>
/// <param name="ChunkCount">The number of chunks.</param>
/// <param name="Name">The content's name, or <see langword="null"/> when it has none.</param>
/// <remarks><see cref="TryRead"/> takes peer input, never throws, and returns <see langword="false"/> for anything malformed; the name is its only allocation.</remarks>
public readonly record struct ContentListingEntry(ContentId Id, ulong TotalLength, ulong ChunkCount, string? Name)
{
    /// <summary>Longest entry message.</summary>
    public const int MaxLength = 1 + ContentId.Length + Varint.MaxLength + Varint.MaxLength + 1 + DistributionLimits.MaxContentNameLength;

    /// <summary>Writes this entry as a whole DATA message.</summary>
    /// <returns><see langword="false"/> when the destination is too short.</returns>
    /// <exception cref="ArgumentException">The name is too long or has control characters, or a number exceeds the varint range.</exception>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TotalLength, Varint.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkCount, Varint.MaxValue);
        written = 0;
        if (destination.Length < 1 + ContentId.Length)
        {
            return false;
        }

        destination[0] = (byte)ServerMessageTag.Data;
        Id.TryWrite(destination[1..]);
        int offset = 1 + ContentId.Length;
        if (!DistributionRequestWriter.TryWriteVarint(destination, ref offset, TotalLength)
            || !DistributionRequestWriter.TryWriteVarint(destination, ref offset, ChunkCount)
            || !DistributionRequestWriter.TryWriteContentName(destination, ref offset, Name))
        {
            return false;
        }

        written = offset;
        return true;
    }

    /// <summary>Parses a whole entry message.</summary>
    /// <returns><see langword="false"/> for a message that is not DATA, a truncated field, a non-minimal varint, an invalid name or trailing bytes.</returns>
    public static bool TryRead(ReadOnlySpan<byte> message, out ContentListingEntry entry)
    {
        entry = default;
        if (message.IsEmpty || message[0] != (byte)ServerMessageTag.Data || !ContentId.TryRead(message[1..], out ContentId id))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = message[(1 + ContentId.Length)..];
        if (!DistributionRequestReader.TryReadVarint(ref rest, out ulong total)
            || !DistributionRequestReader.TryReadVarint(ref rest, out ulong count)
            || !DistributionRequestReader.TryReadContentName(ref rest, out string? name)
            || !rest.IsEmpty)
        {
            return false;
        }

        entry = new ContentListingEntry(id, total, count, name);
        return true;
    }
}

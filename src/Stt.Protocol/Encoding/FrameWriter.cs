using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace Stt.Protocol.Encoding;

/// <summary>Writes STT frame headers (docs/protocol.md, section 3).</summary>
public static class FrameWriter
{
    /// <summary>Writes <paramref name="header"/> to the start of <paramref name="destination"/>.</summary>
    /// <returns>Bytes written: <see cref="FrameHeader.Size"/>.</returns>
    /// <exception cref="ArgumentException">The destination is shorter than the header.</exception>
    public static int WriteHeader(Span<byte> destination, in FrameHeader header)
    {
        Debug.Assert((uint)header.StreamId <= FrameHeader.MaxStreamId);
        Debug.Assert((uint)header.BodyLength <= FrameHeader.MaxBodyLength);
        // Stream IDs below 64 (the common case) take one varint byte; only larger ones need the length computed.
        int size = header.StreamId < 64 ? FrameHeader.FixedSize + 1 : header.Size;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));

        destination[0] = (byte)header.Type;
        destination[1] = (byte)header.Flags;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], header.SessionId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[10..], header.Sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[18..], (uint)header.BodyLength);
        if (header.StreamId < 64)
        {
            destination[FrameHeader.FixedSize] = (byte)header.StreamId;
        }
        else
        {
            Varint.Write(destination[FrameHeader.FixedSize..], (ulong)header.StreamId);
        }

        return size;
    }

    /// <summary>Writes <paramref name="header"/> into <paramref name="writer"/> and advances it.</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, in FrameHeader header)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int written = WriteHeader(writer.GetSpan(FrameHeader.MaxSize), header);
        writer.Advance(written);
    }
}

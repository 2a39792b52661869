using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;

namespace Stt.Protocol.Encoding;

// Message layouts (docs/protocol.md, sections 9 and 10); (vi) is a minimal QUIC varint (section 2).
//
// CONTROL (stream 0)
// +------+
// | 0x01 |  PING
// +------+
// +------+--------------+-------------------+------------------+------------------+----------------------------------------------+
// | 0x02 | largest (vi) | ack delay us (vi) | range count (vi) | first range (vi) | range count x (gap (vi), range length (vi)) |  ACK
// +------+--------------+-------------------+------------------+------------------+----------------------------------------------+
// +------+-----------------+---------------------------+----------------+
// | 0x03 | error code (vi) | reason length (vi), <=256 | reason (UTF-8) |  CLOSE
// +------+-----------------+---------------------------+----------------+
// +------+--------------+
// | 0x04 | maximum (vi) |  MAX_DATA     (0x05: MAX_STREAMS, same layout)
// +------+--------------+
//
// STREAM_CONTROL (stream = target)
// +------+-----------------------------+-----------------+
// | 0x01 | application error code (vi) | final size (vi) |  RESET_STREAM
// +------+-----------------------------+-----------------+
// +------+-----------------------------+
// | 0x02 | application error code (vi) |  STOP_SENDING
// +------+-----------------------------+
// +------+--------------+
// | 0x03 | maximum (vi) |  MAX_STREAM_DATA
// +------+--------------+

/// <summary>Writes CONTROL and STREAM_CONTROL messages (docs/protocol.md, sections 9 and 10) into plaintext buffers.</summary>
/// <remarks>
/// Every write method returns the bytes written, or 0 when the message does not fit in the destination, in which
/// case nothing is written. Arguments that no peer could accept (a value above <see cref="Varint.MaxValue"/>,
/// badly ordered ACK ranges, an oversize or invalid CLOSE reason) are programmer errors and throw. Nothing is
/// allocated. Use the size constants and <see cref="GetAckSize"/> / <see cref="GetCloseSize"/> to budget a frame.
/// </remarks>
public static class ControlMessageWriter
{
    /// <summary>Most ranges one ACK carries, the first range included: 64.</summary>
    public const int MaxAckRanges = 64;

    /// <summary>Longest CLOSE reason, in UTF-8 bytes: 256.</summary>
    public const int MaxCloseReasonLength = 256;

    /// <summary>Size of PING: 1 byte.</summary>
    public const int PingSize = 1;

    /// <summary>Largest ACK: kind, three 8-byte varints, a 1-byte range count and 63 gap/length pairs (1,034 bytes).</summary>
    public const int MaxAckSize = 1 + Varint.MaxLength + Varint.MaxLength + 1 + Varint.MaxLength + ((MaxAckRanges - 1) * 2 * Varint.MaxLength);

    /// <summary>Largest CLOSE: kind, an 8-byte error code, a 2-byte reason length and a 256-byte reason (267 bytes).</summary>
    public const int MaxCloseSize = 1 + Varint.MaxLength + 2 + MaxCloseReasonLength;

    /// <summary>Largest message that carries one varint: MAX_DATA, MAX_STREAMS, STOP_SENDING, MAX_STREAM_DATA (9 bytes).</summary>
    public const int MaxSingleValueMessageSize = 1 + Varint.MaxLength;

    /// <summary>Largest RESET_STREAM (17 bytes).</summary>
    public const int MaxResetStreamSize = 1 + (2 * Varint.MaxLength);

    /// <summary>Writes PING.</summary>
    /// <returns>1, or 0 when <paramref name="destination"/> is empty.</returns>
    public static int WritePing(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        destination[0] = (byte)ControlMessageKind.Ping;
        return PingSize;
    }

    /// <summary>Returns the exact encoded size of the ACK that <see cref="WriteAck"/> would write.</summary>
    /// <exception cref="ArgumentException">The ranges break the rules given on <see cref="WriteAck"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int GetAckSize(ReadOnlySpan<SequenceRange> ranges, ulong ackDelayMicroseconds)
    {
        ValidateAckRanges(ranges);
        SequenceRange first = ranges[0];
        int size = 1
            + Varint.GetEncodedLength(first.End)
            + Varint.GetEncodedLength(ackDelayMicroseconds)
            + Varint.GetEncodedLength((ulong)(ranges.Length - 1))
            + Varint.GetEncodedLength(first.End - first.Start);
        for (int i = 1; i < ranges.Length; i++)
        {
            size += Varint.GetEncodedLength(ranges[i - 1].Start - ranges[i].End - 2)
                + Varint.GetEncodedLength(ranges[i].End - ranges[i].Start);
        }

        return size;
    }

    /// <summary>Writes an ACK of <paramref name="ranges"/>.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="ranges">1 to <see cref="MaxAckRanges"/> ranges, largest first, each separated from the next by at
    /// least one sequence number that is not acknowledged (adjacent ranges must be merged by the caller).</param>
    /// <param name="ackDelayMicroseconds">How long the largest acknowledged frame was held before this ACK.</param>
    /// <returns>Bytes written, or 0 when the ACK does not fit.</returns>
    /// <exception cref="ArgumentException">The ranges are empty, too many, not descending, overlapping or adjacent, or
    /// a range starts after it ends.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteAck(Span<byte> destination, ReadOnlySpan<SequenceRange> ranges, ulong ackDelayMicroseconds)
    {
        int size = GetAckSize(ranges, ackDelayMicroseconds);
        if (destination.Length < size)
        {
            return 0;
        }

        destination[0] = (byte)ControlMessageKind.Ack;
        int written = 1;
        SequenceRange first = ranges[0];
        written += Varint.Write(destination[written..], first.End);
        written += Varint.Write(destination[written..], ackDelayMicroseconds);
        written += Varint.Write(destination[written..], (ulong)(ranges.Length - 1));
        written += Varint.Write(destination[written..], first.End - first.Start);
        for (int i = 1; i < ranges.Length; i++)
        {
            written += Varint.Write(destination[written..], ranges[i - 1].Start - ranges[i].End - 2);
            written += Varint.Write(destination[written..], ranges[i].End - ranges[i].Start);
        }

        Debug.Assert(written == size);
        return written;
    }

    /// <summary>Returns the exact encoded size of the CLOSE that <see cref="WriteClose"/> would write.</summary>
    /// <exception cref="ArgumentException">The reason is longer than <see cref="MaxCloseReasonLength"/> bytes or not valid UTF-8.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The error code exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int GetCloseSize(ProtocolErrorCode errorCode, ReadOnlySpan<byte> reasonUtf8)
    {
        if (reasonUtf8.Length > MaxCloseReasonLength || !Utf8.IsValid(reasonUtf8))
        {
            ThrowArgument("A CLOSE reason is valid UTF-8 of at most 256 bytes.", nameof(reasonUtf8));
        }

        return 1
            + Varint.GetEncodedLength((ulong)errorCode)
            + Varint.GetEncodedLength((ulong)reasonUtf8.Length)
            + reasonUtf8.Length;
    }

    /// <summary>Writes CLOSE.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="errorCode">Why the session closes; application codes start at <see cref="ProtocolErrorCode.ApplicationBase"/>.</param>
    /// <param name="reasonUtf8">A reason for people, in UTF-8, at most <see cref="MaxCloseReasonLength"/> bytes; may be empty.</param>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentException">The reason is longer than <see cref="MaxCloseReasonLength"/> bytes or not valid UTF-8.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The error code exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteClose(Span<byte> destination, ProtocolErrorCode errorCode, ReadOnlySpan<byte> reasonUtf8)
    {
        int size = GetCloseSize(errorCode, reasonUtf8);
        if (destination.Length < size)
        {
            return 0;
        }

        destination[0] = (byte)ControlMessageKind.Close;
        int written = 1;
        written += Varint.Write(destination[written..], (ulong)errorCode);
        written += Varint.Write(destination[written..], (ulong)reasonUtf8.Length);
        reasonUtf8.CopyTo(destination[written..]);
        return written + reasonUtf8.Length;
    }

    /// <summary>Writes MAX_DATA: the total stream bytes the peer may send on all streams.</summary>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteMaxData(Span<byte> destination, ulong maximum) =>
        WriteSingleValue(destination, (byte)ControlMessageKind.MaxData, maximum);

    /// <summary>Writes MAX_STREAMS: the number of streams the peer may open in total.</summary>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteMaxStreams(Span<byte> destination, ulong maximum) =>
        WriteSingleValue(destination, (byte)ControlMessageKind.MaxStreams, maximum);

    /// <summary>Writes RESET_STREAM (a STREAM_CONTROL message).</summary>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteResetStream(Span<byte> destination, ulong applicationErrorCode, ulong finalSize)
    {
        int size = 1 + Varint.GetEncodedLength(applicationErrorCode) + Varint.GetEncodedLength(finalSize);
        if (destination.Length < size)
        {
            return 0;
        }

        destination[0] = (byte)StreamControlMessageKind.ResetStream;
        int written = 1 + Varint.Write(destination[1..], applicationErrorCode);
        return written + Varint.Write(destination[written..], finalSize);
    }

    /// <summary>Writes STOP_SENDING (a STREAM_CONTROL message).</summary>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteStopSending(Span<byte> destination, ulong applicationErrorCode) =>
        WriteSingleValue(destination, (byte)StreamControlMessageKind.StopSending, applicationErrorCode);

    /// <summary>Writes MAX_STREAM_DATA (a STREAM_CONTROL message): the highest stream offset the peer may send.</summary>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteMaxStreamData(Span<byte> destination, ulong maximum) =>
        WriteSingleValue(destination, (byte)StreamControlMessageKind.MaxStreamData, maximum);

    /// <summary>Writes DISCARD (a STREAM_CONTROL message): the message boundary below which the receiver skips every byte.</summary>
    /// <returns>Bytes written, or 0 when the message does not fit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds <see cref="Varint.MaxValue"/>.</exception>
    public static int WriteDiscard(Span<byte> destination, ulong offset) =>
        WriteSingleValue(destination, (byte)StreamControlMessageKind.Discard, offset);

    private static int WriteSingleValue(Span<byte> destination, byte kind, ulong value)
    {
        int size = 1 + Varint.GetEncodedLength(value);
        if (destination.Length < size)
        {
            return 0;
        }

        destination[0] = kind;
        return 1 + Varint.Write(destination[1..], value);
    }

    private static void ValidateAckRanges(ReadOnlySpan<SequenceRange> ranges)
    {
        if (ranges.IsEmpty || ranges.Length > MaxAckRanges)
        {
            ThrowArgument("An ACK carries 1 to 64 ranges.", nameof(ranges));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(ranges[0].End, Varint.MaxValue, nameof(ranges));
        for (int i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Start > ranges[i].End)
            {
                ThrowArgument("An ACK range starts after it ends.", nameof(ranges));
            }

            // The gap field is (previous start - this end - 2), so at least one number must lie between ranges.
            if (i > 0 && (ranges[i - 1].Start < 2 || ranges[i].End > ranges[i - 1].Start - 2))
            {
                ThrowArgument("ACK ranges must be descending and separated by at least one unacknowledged sequence number.", nameof(ranges));
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);
}

using System.Text.Unicode;
using Stt.Protocol.Encoding.Internal;

namespace Stt.Protocol.Encoding;

// CONTROL plaintext (docs/protocol.md, section 9): one or more messages, each a kind byte and its fields;
// (vi) is a minimal QUIC varint (section 2).
//
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
// | 0x04 | maximum (vi) |  MAX_DATA
// +------+--------------+
// +------+--------------+
// | 0x05 | maximum (vi) |  MAX_STREAMS
// +------+--------------+

/// <summary>Reads the messages of a decrypted CONTROL frame body (docs/protocol.md, section 9).</summary>
/// <remarks>
/// <para>
/// The plaintext has authenticated, so anything malformed is a protocol violation that closes the session:
/// <see cref="TryRead"/> throws <see cref="ProtocolViolationException"/> with
/// <see cref="ProtocolErrorCode.ProtocolViolation"/> for an empty plaintext, an unknown kind, a truncated field,
/// a non-minimal varint, ACK ranges that reach below sequence 0, a first range larger than the largest
/// acknowledged, or a CLOSE reason that is not valid UTF-8; and with <see cref="ProtocolErrorCode.FrameSizeError"/>
/// for more than <see cref="ControlMessageWriter.MaxAckRanges"/> ACK ranges or a CLOSE reason longer than
/// <see cref="ControlMessageWriter.MaxCloseReasonLength"/> bytes. Each message is checked completely before it is
/// returned.
/// </para>
/// <para>Reading allocates nothing; returned messages refer to the plaintext.</para>
/// </remarks>
public ref struct ControlMessageReader
{
    private readonly int _length;
    private ReadOnlySpan<byte> _remaining;
    private bool _started;

    /// <summary>Creates a reader over the decrypted plaintext of one CONTROL frame.</summary>
    public ControlMessageReader(ReadOnlySpan<byte> plaintext)
    {
        _remaining = plaintext;
        _length = plaintext.Length;
        _started = false;
    }

    /// <summary>Bytes of the plaintext read so far; after the last message, the whole plaintext.</summary>
    public readonly int BytesConsumed => _length - _remaining.Length;

    /// <summary>Reads the next message.</summary>
    /// <param name="message">The message, when one was read.</param>
    /// <returns><see langword="false"/> at the end of the plaintext.</returns>
    /// <exception cref="ProtocolViolationException">The plaintext is malformed (see <see cref="ControlMessageReader"/>).</exception>
    public bool TryRead(out ControlMessage message)
    {
        if (_remaining.IsEmpty)
        {
            if (!_started)
            {
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "A CONTROL frame carries no message.");
            }

            message = default;
            return false;
        }

        _started = true;
        ReadOnlySpan<byte> source = _remaining;
        var kind = (ControlMessageKind)source[0];
        source = source[1..];
        switch (kind)
        {
            case ControlMessageKind.Ping:
                message = ControlMessage.Ping();
                break;
            case ControlMessageKind.Ack:
                message = ReadAck(ref source);
                break;
            case ControlMessageKind.Close:
                message = ReadClose(ref source);
                break;
            case ControlMessageKind.MaxData:
            case ControlMessageKind.MaxStreams:
                message = ControlMessage.Limit(kind, MessageFieldReader.ReadVarint(ref source));
                break;
            default:
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "Unknown CONTROL message kind.");
                message = default;
                break;
        }

        _remaining = source;
        return true;
    }

    private static ControlMessage ReadAck(scoped ref ReadOnlySpan<byte> source)
    {
        ulong largest = MessageFieldReader.ReadVarint(ref source);
        ulong ackDelay = MessageFieldReader.ReadVarint(ref source);
        ulong additionalRanges = MessageFieldReader.ReadVarint(ref source);
        if (additionalRanges >= ControlMessageWriter.MaxAckRanges)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.FrameSizeError, "An ACK carries more than 64 ranges.");
        }

        ulong firstRange = MessageFieldReader.ReadVarint(ref source);
        if (firstRange > largest)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "An ACK range reaches below sequence 0.");
        }

        // RFC 9000, section 19.3.1: each range ends gap + 2 below the smallest sequence of the previous one and
        // covers range length + 1 numbers; both steps must stay at or above 0.
        ReadOnlySpan<byte> gapsAndLengths = source;
        ulong smallest = largest - firstRange;
        for (ulong i = 0; i < additionalRanges; i++)
        {
            ulong gap = MessageFieldReader.ReadVarint(ref source);
            ulong length = MessageFieldReader.ReadVarint(ref source);
            if (smallest < gap + 2 || smallest - gap - 2 < length)
            {
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "An ACK range reaches below sequence 0.");
            }

            smallest = smallest - gap - 2 - length;
        }

        gapsAndLengths = gapsAndLengths[..(gapsAndLengths.Length - source.Length)];
        return ControlMessage.Ack(largest, ackDelay, firstRange, (int)additionalRanges + 1, gapsAndLengths);
    }

    private static ControlMessage ReadClose(scoped ref ReadOnlySpan<byte> source)
    {
        ulong errorCode = MessageFieldReader.ReadVarint(ref source);
        ulong reasonLength = MessageFieldReader.ReadVarint(ref source);
        if (reasonLength > ControlMessageWriter.MaxCloseReasonLength)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.FrameSizeError, "A CLOSE reason is longer than 256 bytes.");
        }

        if ((ulong)source.Length < reasonLength)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "A CLOSE reason is truncated.");
        }

        ReadOnlySpan<byte> reason = source[..(int)reasonLength];
        if (!Utf8.IsValid(reason))
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "A CLOSE reason is not valid UTF-8.");
        }

        source = source[(int)reasonLength..];
        return ControlMessage.Close(errorCode, reason);
    }
}

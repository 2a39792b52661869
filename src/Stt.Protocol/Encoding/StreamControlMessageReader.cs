using Stt.Protocol.Encoding.Internal;

namespace Stt.Protocol.Encoding;

// STREAM_CONTROL plaintext (docs/protocol.md, section 10): one or more messages, each a kind byte and its fields;
// (vi) is a minimal QUIC varint (section 2). The target stream is the frame header's stream ID.
//
// +------+-----------------------------+-----------------+
// | 0x01 | application error code (vi) | final size (vi) |  RESET_STREAM
// +------+-----------------------------+-----------------+
// +------+-----------------------------+
// | 0x02 | application error code (vi) |  STOP_SENDING
// +------+-----------------------------+
// +------+--------------+
// | 0x03 | maximum (vi) |  MAX_STREAM_DATA
// +------+--------------+
// +------+-------------+
// | 0x04 | offset (vi) |  DISCARD
// +------+-------------+

/// <summary>Reads the messages of a decrypted STREAM_CONTROL frame body (docs/protocol.md, section 10).</summary>
/// <remarks>
/// The rules of section 9 apply here too: the plaintext has authenticated, so an empty plaintext, an unknown kind,
/// a truncated field or a non-minimal varint makes <see cref="TryRead"/> throw
/// <see cref="ProtocolViolationException"/> with <see cref="ProtocolErrorCode.ProtocolViolation"/>. Reading
/// allocates nothing.
/// </remarks>
public ref struct StreamControlMessageReader
{
    private readonly int _length;
    private ReadOnlySpan<byte> _remaining;
    private bool _started;

    /// <summary>Creates a reader over the decrypted plaintext of one STREAM_CONTROL frame.</summary>
    public StreamControlMessageReader(ReadOnlySpan<byte> plaintext)
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
    /// <exception cref="ProtocolViolationException">The plaintext is malformed (see <see cref="StreamControlMessageReader"/>).</exception>
    public bool TryRead(out StreamControlMessage message)
    {
        if (_remaining.IsEmpty)
        {
            if (!_started)
            {
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "A STREAM_CONTROL frame carries no message.");
            }

            message = default;
            return false;
        }

        _started = true;
        ReadOnlySpan<byte> source = _remaining;
        var kind = (StreamControlMessageKind)source[0];
        source = source[1..];
        switch (kind)
        {
            case StreamControlMessageKind.ResetStream:
                ulong errorCode = MessageFieldReader.ReadVarint(ref source);
                message = StreamControlMessage.ResetStream(errorCode, MessageFieldReader.ReadVarint(ref source));
                break;
            case StreamControlMessageKind.StopSending:
                message = StreamControlMessage.StopSending(MessageFieldReader.ReadVarint(ref source));
                break;
            case StreamControlMessageKind.MaxStreamData:
                message = StreamControlMessage.MaxStreamData(MessageFieldReader.ReadVarint(ref source));
                break;
            case StreamControlMessageKind.Discard:
                message = StreamControlMessage.Discard(MessageFieldReader.ReadVarint(ref source));
                break;
            default:
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "Unknown STREAM_CONTROL message kind.");
                message = default;
                break;
        }

        _remaining = source;
        return true;
    }
}

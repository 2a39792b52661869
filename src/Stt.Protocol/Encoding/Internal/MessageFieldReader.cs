using System.Buffers;

namespace Stt.Protocol.Encoding.Internal;

/// <summary>Reads the varint fields of decrypted CONTROL and STREAM_CONTROL messages.</summary>
/// <remarks>
/// A message plaintext has already authenticated, so a malformed field is a protocol violation that closes the
/// session, not a frame to drop (docs/protocol.md, section 9: truncated fields are a PROTOCOL_VIOLATION; section 2:
/// a non-minimal varint is invalid).
/// </remarks>
internal static class MessageFieldReader
{
    public static ulong ReadVarint(ref ReadOnlySpan<byte> source)
    {
        switch (Varint.TryRead(source, out ulong value, out int length))
        {
            case OperationStatus.Done:
                source = source[length..];
                return value;
            case OperationStatus.NeedMoreData:
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "A control message field is truncated.");
                return 0;
            default:
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "A control message field is not minimally encoded.");
                return 0;
        }
    }
}

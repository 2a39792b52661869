namespace Stt.Protocol.Encoding;

/// <summary>The kind byte of a STREAM_CONTROL message (docs/protocol.md, section 10).</summary>
public enum StreamControlMessageKind : byte
{
    /// <summary>RESET_STREAM: application error code and final size; the sender abandons its direction of the stream.</summary>
    ResetStream = 0x01,

    /// <summary>STOP_SENDING: application error code; asks the peer to stop sending on the stream.</summary>
    StopSending = 0x02,

    /// <summary>MAX_STREAM_DATA: highest stream offset the peer may send on the stream.</summary>
    MaxStreamData = 0x03,

    /// <summary>DISCARD: a message boundary below which the sender will send no byte (again); the receiver skips to it.</summary>
    Discard = 0x04,
}

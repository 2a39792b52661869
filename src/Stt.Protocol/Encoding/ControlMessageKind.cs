namespace Stt.Protocol.Encoding;

/// <summary>The kind byte of a CONTROL message on stream 0 (docs/protocol.md, section 9).</summary>
public enum ControlMessageKind : byte
{
    /// <summary>PING: no fields; ack-eliciting, used for keep-alive and probes.</summary>
    Ping = 0x01,

    /// <summary>ACK: largest, ack delay, and up to 64 ranges of acknowledged sequence numbers; not ack-eliciting.</summary>
    Ack = 0x02,

    /// <summary>CLOSE: error code and a UTF-8 reason of at most 256 bytes; not ack-eliciting.</summary>
    Close = 0x03,

    /// <summary>MAX_DATA: total stream bytes the peer may send on all streams; ack-eliciting.</summary>
    MaxData = 0x04,

    /// <summary>MAX_STREAMS: number of streams the peer may open in total; ack-eliciting.</summary>
    MaxStreams = 0x05,
}

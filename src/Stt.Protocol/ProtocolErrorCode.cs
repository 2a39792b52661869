namespace Stt.Protocol;

/// <summary>
/// Session close and error codes carried by CLOSE (docs/protocol.md, section "Error codes").
/// Values at or above <see cref="ApplicationBase"/> are for applications.
/// </summary>
public enum ProtocolErrorCode : ulong
{
    /// <summary>Graceful close.</summary>
    NoError = 0x00,

    /// <summary>The peer hit an internal fault.</summary>
    InternalError = 0x01,

    /// <summary>A frame or message broke the protocol: bad type, flags, field or state.</summary>
    ProtocolViolation = 0x02,

    /// <summary>Data beyond a stream's or the session's flow-control limit.</summary>
    FlowControlError = 0x03,

    /// <summary>A stream opened beyond the advertised stream limit.</summary>
    StreamLimitError = 0x04,

    /// <summary>A frame for a stream in a state that does not allow it.</summary>
    StreamStateError = 0x05,

    /// <summary>A length field exceeded its cap or was inconsistent with the frame.</summary>
    FrameSizeError = 0x06,

    /// <summary>Data past a stream's final size, or a final size that changed.</summary>
    FinalSizeError = 0x07,

    /// <summary>A key update broke the rules (for example, a new phase before the previous one was acknowledged).</summary>
    KeyUpdateError = 0x08,

    /// <summary>The session saw no authenticated frame within the idle timeout.</summary>
    IdleTimeout = 0x09,

    /// <summary>A hard cryptographic limit was reached (sequence space or failed-decryption budget).</summary>
    AeadLimitReached = 0x0A,

    /// <summary>The peer could not keep up with what it was sent and was disconnected.</summary>
    SlowConsumer = 0x0B,

    /// <summary>The node is shutting down.</summary>
    ShuttingDown = 0x0C,

    /// <summary>The handshake did not complete within the handshake timeout.</summary>
    HandshakeTimeout = 0x0D,

    /// <summary>First application-defined code.</summary>
    ApplicationBase = 0x100,
}

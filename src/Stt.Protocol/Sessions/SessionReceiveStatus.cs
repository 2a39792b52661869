namespace Stt.Protocol.Sessions;

/// <summary>What became of one received frame. Every outcome but <see cref="Accepted"/> leaves the session as it was.</summary>
public enum SessionReceiveStatus
{
    /// <summary>The frame authenticated and was processed.</summary>
    Accepted,

    /// <summary>The bytes are not a well-formed frame (see <see cref="Stt.Protocol.Encoding.FrameViolation"/>).</summary>
    Malformed,

    /// <summary>The frame names another session or handshake.</summary>
    WrongSession,

    /// <summary>The frame failed authentication: bad tag, wrong key, or a tampered handshake message.</summary>
    AuthFailed,

    /// <summary>The frame's sequence number was already received or is below the replay window.</summary>
    Replay,

    /// <summary>The frame used a key epoch whose grace period is over.</summary>
    KeyExpired,

    /// <summary>The frame is valid but not expected in the session's state (for example DATA before the handshake ends).</summary>
    Unexpected,

    /// <summary>The handshake message was well formed but refused (stale, bad signature, node ID mismatch, timeout).</summary>
    HandshakeRejected,

    /// <summary>The session is closed.</summary>
    Closed,
}

namespace Stt.Protocol.Protection;

/// <summary>The outcome of <see cref="FrameOpener.TryOpen"/>.</summary>
public enum OpenStatus
{
    /// <summary>The frame authenticated and its body was decrypted in place.</summary>
    Ok,

    /// <summary>A frame with this sequence number was already opened: dropped without decryption.</summary>
    Replay,

    /// <summary>The sequence number is at or below the highest opened one minus 2,048: dropped without decryption.</summary>
    TooOld,

    /// <summary>
    /// The tag did not verify (tampering, wrong key, or a reflected frame), or the body is shorter than a tag.
    /// Counts towards <see cref="FrameProtectionOptions.MaxFailedDecryptions"/>.
    /// </summary>
    AuthFailed,

    /// <summary>The frame belongs to the previous key epoch and its grace period is over: dropped without decryption.</summary>
    KeyExpired,

    /// <summary>
    /// The failed-decryption budget is exhausted (by this frame or earlier ones). The session must close with
    /// <see cref="ProtocolErrorCode.AeadLimitReached"/>; the opener opens nothing more.
    /// </summary>
    AeadLimitReached,

    /// <summary>The header's session ID is not this session's: dropped without decryption.</summary>
    WrongSession,
}

namespace Stt.Protocol.Protection;

/// <summary>
/// Key-rotation thresholds and AEAD limits for <see cref="FrameSealer"/> and <see cref="FrameOpener"/>
/// (docs/protocol.md, section 8, "Key rotation" and "Hard limits").
/// </summary>
/// <remarks>
/// Immutable; derive variants with <c>with</c>. Every property validates its value when set and throws
/// <see cref="ArgumentOutOfRangeException"/> for a value outside its documented range. The upper bounds keep each key
/// within the AES-GCM usage limits of RFC 9001, section 6.6, even at the hard limit of four times a threshold.
/// </remarks>
public sealed record FrameProtectionOptions
{
    /// <summary>Largest <see cref="RotateAfterBytes"/>: 16 GiB.</summary>
    public const long RotateAfterBytesLimit = 16L << 30;

    /// <summary>Largest <see cref="RotateAfterMessages"/>: 2^21, so the hard limit (4×) is RFC 9001's 2^23 frames.</summary>
    public const long RotateAfterMessagesLimit = 1L << 21;

    /// <summary>Largest <see cref="MaxFailedDecryptions"/>: 2^52, RFC 9001's AES-GCM integrity limit.</summary>
    public const long MaxFailedDecryptionsLimit = 1L << 52;

    /// <summary>Options with every default.</summary>
    public static FrameProtectionOptions Default { get; } = new();

    /// <summary>Longest <see cref="RotateAfter"/>: the longest due time a <see cref="TimeProvider"/> timer accepts.</summary>
    public static TimeSpan RotateAfterLimit { get; } = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Plaintext bytes a sender seals in one key epoch before it rotates.</summary>
    /// <remarks>
    /// Defaults to 1 GiB (1,073,741,824). Between 1 and <see cref="RotateAfterBytesLimit"/>. The frame that reaches the
    /// threshold is the last of its epoch. Security: a sender that cannot rotate (no acknowledgement) stops at four
    /// times this value with <see cref="ProtocolErrorCode.AeadLimitReached"/>.
    /// </remarks>
    public long RotateAfterBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, RotateAfterBytesLimit);
            field = value;
        }
    } = 1L << 30;

    /// <summary>Frames a sender seals in one key epoch before it rotates.</summary>
    /// <remarks>
    /// Defaults to 100,000. Between 1 and <see cref="RotateAfterMessagesLimit"/>. Frame number N (counted from 1 in the
    /// epoch) is the last of its epoch. Security: a sender that cannot rotate stops at four times this value with
    /// <see cref="ProtocolErrorCode.AeadLimitReached"/>.
    /// </remarks>
    public long RotateAfterMessages
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, RotateAfterMessagesLimit);
            field = value;
        }
    } = 100_000;

    /// <summary>Time a sender stays in one key epoch before it rotates, measured from the epoch's start.</summary>
    /// <remarks>
    /// Defaults to 1 hour. Positive and at most <see cref="RotateAfterLimit"/> (about 49.7 days). The first frame sealed
    /// once this much time has passed starts the next epoch (given an acknowledgement in the current one).
    /// </remarks>
    public TimeSpan RotateAfter
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, RotateAfterLimit);
            field = value;
        }
    } = TimeSpan.FromHours(1);

    /// <summary>How long a receiver keeps the previous epoch's key after it switched to a new epoch.</summary>
    /// <remarks>
    /// Defaults to 10 seconds. Zero or positive; zero discards the previous key at the switch. Late frames of the
    /// previous epoch open while less than this much time has passed since the switch, and are
    /// <see cref="OpenStatus.KeyExpired"/> from then on.
    /// </remarks>
    public TimeSpan KeyGracePeriod
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>Frames of a session that may fail authentication before the receiver gives up on the session.</summary>
    /// <remarks>
    /// Defaults to 1,000,000. Between 1 and <see cref="MaxFailedDecryptionsLimit"/>. Security: bounds how many forgeries
    /// an attacker can try against the session's keys; the frame that exhausts the budget, and every frame after it,
    /// is <see cref="OpenStatus.AeadLimitReached"/>.
    /// </remarks>
    public long MaxFailedDecryptions
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxFailedDecryptionsLimit);
            field = value;
        }
    } = 1_000_000;
}

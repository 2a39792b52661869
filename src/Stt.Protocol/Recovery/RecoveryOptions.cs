namespace Stt.Protocol.Recovery;

/// <summary>
/// Settings of acknowledgement and loss recovery (docs/protocol.md, sections 9 and 11; RFC 9002).
/// </summary>
/// <remarks>
/// Both peers of a session must agree on <see cref="MaxAckDelay"/>: STT has no transport parameters,
/// so a sender computes its probe timeout with its own value as the peer's acknowledgement delay.
/// Every property validates its value when set and throws <see cref="ArgumentOutOfRangeException"/>
/// outside the documented range.
/// </remarks>
public sealed record RecoveryOptions
{
    /// <summary>The protocol's cap on ranges in one ACK message, the first range included.</summary>
    public const int MaxAckRangesLimit = 64;

    /// <summary>Settings with every default.</summary>
    public static RecoveryOptions Default { get; } = new();

    /// <summary>Round-trip time assumed before the first sample.</summary>
    /// <remarks>Defaults to 333 ms (RFC 9002, section 6.2.2). Must be positive and at most one minute.</remarks>
    public TimeSpan InitialRtt
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMinutes(1));
            field = value;
        }
    } = TimeSpan.FromMilliseconds(333);

    /// <summary>
    /// Longest a receiver waits before acknowledging an ack-eliciting frame, and the peer delay a sender
    /// allows for in its probe timeout and caps reported ACK delays at.
    /// </summary>
    /// <remarks>Defaults to 5 ms, the protocol constant of docs/protocol.md section 9. Must be between 0 and 16,384 ms (the bound RFC 9000 puts on max_ack_delay).</remarks>
    public TimeSpan MaxAckDelay
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMilliseconds(1 << 14));
            field = value;
        }
    } = TimeSpan.FromMilliseconds(5);

    /// <summary>Ack-eliciting frames received after which an ACK is sent without waiting for <see cref="MaxAckDelay"/>.</summary>
    /// <remarks>Defaults to 2 (RFC 9000, section 13.2.2). Must be between 1 and 1,000.</remarks>
    public int AckElicitingThreshold
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            field = value;
        }
    } = 2;

    /// <summary>
    /// How many sequence numbers a later acknowledged frame must be ahead of an unacknowledged one for the
    /// unacknowledged one to be declared lost.
    /// </summary>
    /// <remarks>
    /// Defaults to 3 (RFC 9002, section 6.1.1, which advises against less than 3). Must be between 1 and 1,000.
    /// </remarks>
    public int PacketThreshold
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            field = value;
        }
    } = 3;

    /// <summary>
    /// Multiple of max(smoothed RTT, latest RTT) after which a frame older than an acknowledged one is
    /// declared lost.
    /// </summary>
    /// <remarks>Defaults to 9/8 (RFC 9002, section 6.1.2). Must be between 1 and 16.</remarks>
    public double TimeThresholdFactor
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1.0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 16.0);
            field = value;
        }
    } = 9.0 / 8.0;

    /// <summary>Smallest loss delay and smallest RTT-variance term of the probe timeout.</summary>
    /// <remarks>Defaults to 1 ms (RFC 9002, kGranularity). Must be positive and at most one second.</remarks>
    public TimeSpan TimerGranularity
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromSeconds(1));
            field = value;
        }
    } = TimeSpan.FromMilliseconds(1);

    /// <summary>Most ranges a receiver keeps and puts in one ACK; older ranges are dropped first.</summary>
    /// <remarks>
    /// Defaults to 64. Must be between 1 and <see cref="MaxAckRangesLimit"/>.
    /// Security: this bounds the receive-side state whatever sequence numbers a peer sends.
    /// </remarks>
    public int MaxAckRanges
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxAckRangesLimit);
            field = value;
        }
    } = MaxAckRangesLimit;

    /// <summary>Consecutive probe timeouts without an acknowledgement after which the peer is considered unresponsive.</summary>
    /// <remarks>Defaults to 10. Must be between 1 and 30.</remarks>
    public int MaxConsecutivePtos
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 30);
            field = value;
        }
    } = 10;

    /// <summary>
    /// Most sent frames tracked at once: the span of sequence numbers from the oldest frame neither
    /// acknowledged nor lost to the newest frame sent.
    /// </summary>
    /// <remarks>
    /// Defaults to 16,384. Must be between 16 and 16,777,216.
    /// Security: this bounds the send-side state when a peer withholds acknowledgements (each tracked frame
    /// holds a slot of about 32 bytes plus its payload descriptor); a session checks the tracker's remaining
    /// capacity before it seals a frame.
    /// </remarks>
    public int MaxTrackedFrames
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 16);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 24);
            field = value;
        }
    } = 16_384;
}

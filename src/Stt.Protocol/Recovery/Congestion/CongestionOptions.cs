namespace Stt.Protocol.Recovery.Congestion;

/// <summary>
/// Settings of congestion control and pacing (RFC 9002, section 7 and appendix B; docs/protocol.md, section 11).
/// </summary>
/// <remarks>
/// Windows are counted in bytes of ack-eliciting frames, the same bytes <see cref="SentFrameTracker{TPayload}.BytesInFlight"/>
/// counts. Every property validates its value when set and throws <see cref="ArgumentOutOfRangeException"/> outside the
/// documented range; <see cref="MinimumWindowPackets"/> must not exceed <see cref="InitialWindowPackets"/>, which the
/// controller checks when it is created.
/// </remarks>
public sealed record CongestionOptions
{
    /// <summary>Settings with every default.</summary>
    public static CongestionOptions Default { get; } = new();

    /// <summary>The largest frame the session sends, in bytes: the unit of window growth and of the windows below.</summary>
    /// <remarks>Defaults to 1,200 (RFC 9002, section 7.2). The session sets it to its frame size. Must be between 64 and 65,535.</remarks>
    public int MaxDatagramSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 64);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, ushort.MaxValue);
            field = value;
        }
    } = 1200;

    /// <summary>The congestion window of a new session, in frames of <see cref="MaxDatagramSize"/>.</summary>
    /// <remarks>Defaults to 10 (RFC 9002, section 7.2). Must be between 1 and 1,000.</remarks>
    public int InitialWindowPackets
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            field = value;
        }
    } = 10;

    /// <summary>The smallest congestion window, in frames of <see cref="MaxDatagramSize"/>, whatever the losses.</summary>
    /// <remarks>Defaults to 2 (RFC 9002, kMinimumWindow). Must be between 1 and 1,000, and at most <see cref="InitialWindowPackets"/>.</remarks>
    public int MinimumWindowPackets
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            field = value;
        }
    } = 2;

    /// <summary>The factor the congestion window is multiplied by on entering recovery.</summary>
    /// <remarks>Defaults to 0.5 (RFC 9002, kLossReductionFactor). Must be between 0.1 and 0.9.</remarks>
    public double LossReductionFactor
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0.1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 0.9);
            field = value;
        }
    } = 0.5;

    /// <summary>
    /// How many probe timeouts a run of lost frames must span for persistent congestion to be declared.
    /// </summary>
    /// <remarks>Defaults to 3 (RFC 9002, kPersistentCongestionThreshold). Must be between 1 and 100.</remarks>
    public int PersistentCongestionThreshold
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            field = value;
        }
    } = 3;

    /// <summary>The pacing rate as a multiple of congestion window per smoothed RTT.</summary>
    /// <remarks>
    /// Defaults to 1.25 (RFC 9002, section 7.7: above 1 so that pacing alone does not keep the window unused).
    /// Must be between 1 and 10.
    /// </remarks>
    public double PacingGain
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1.0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10.0);
            field = value;
        }
    } = 1.25;

    /// <summary>How many frames of <see cref="MaxDatagramSize"/> the pacer lets go back to back after an idle period.</summary>
    /// <remarks>
    /// Defaults to 10. Must be between 1 and 1,000.
    /// Security: this bounds the bursts a session puts into the socket's send buffer and the path's queues.
    /// </remarks>
    public int PacingBurstPackets
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            field = value;
        }
    } = 10;

    /// <summary>Whether the pacer spaces frames out; when disabled it lets every frame go at once.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool EnablePacing { get; init; } = true;

    /// <summary>The initial congestion window in bytes: <see cref="InitialWindowPackets"/> × <see cref="MaxDatagramSize"/>.</summary>
    public long InitialWindow => (long)InitialWindowPackets * MaxDatagramSize;

    /// <summary>The minimum congestion window in bytes: <see cref="MinimumWindowPackets"/> × <see cref="MaxDatagramSize"/>.</summary>
    public long MinimumWindow => (long)MinimumWindowPackets * MaxDatagramSize;
}

using System.Diagnostics;
using Stt.Protocol.Recovery.Internal;

namespace Stt.Protocol.Recovery.Congestion;

/// <summary>
/// NewReno congestion control of one session (RFC 9002, section 7 and appendix B): slow start, recovery once per
/// round of losses, congestion avoidance, persistent congestion and the minimum window.
/// </summary>
/// <remarks>
/// <para>
/// The controller counts the bytes of ack-eliciting frames in flight exactly as
/// <see cref="SentFrameTracker{TPayload}.BytesInFlight"/> does: a frame enters on <see cref="OnPacketSent"/> when it is
/// ack-eliciting and leaves when the tracker reports it acknowledged (<see cref="OnPacketAcked"/>), lost
/// (<see cref="OnPacketsLost"/>) or the session forgets it (<see cref="OnPacketDiscarded"/>). Frames that are not
/// ack-eliciting (ACK and CLOSE only) never count, so they must not be reported acknowledged or lost here either.
/// </para>
/// <para>
/// Timestamps are <see cref="TimeProvider.GetTimestamp"/> values of the clock given to the constructor. Window
/// arithmetic is integer: congestion avoidance carries the fraction of a byte that each acknowledgement earns, so the
/// window grows by exactly one <see cref="CongestionOptions.MaxDatagramSize"/> per window of acknowledged bytes, however
/// large the window. Not thread-safe: the session serializes calls. Allocates nothing after construction.
/// </para>
/// </remarks>
public sealed class NewRenoCongestionController
{
    // Before the first congestion event no send time is "before the recovery start" (RFC 9002, appendix B.2:
    // congestion_recovery_start_time = 0, with timestamps that start above it).
    private const long NoRecovery = long.MinValue;

    private readonly long _maxDatagramSize;
    private readonly long _minimumWindow;
    private readonly double _lossReductionFactor;
    private readonly int _persistentCongestionThreshold;
    private readonly long _frequency;

    private long _congestionWindow;
    private long _slowStartThreshold = long.MaxValue;
    private long _bytesInFlight;
    private long _recoveryStart = NoRecovery;
    private bool _inRecovery;
    private bool _appLimited;

    // Congestion avoidance adds MaxDatagramSize × acked / cwnd bytes per acknowledgement; this is the remainder of that
    // division (in units of 1 / cwnd bytes), carried to the next acknowledgement instead of being truncated away.
    private long _avoidanceRemainder;

    /// <summary>Creates a controller in slow start with the initial window and nothing in flight.</summary>
    /// <param name="options">Congestion settings.</param>
    /// <param name="timeProvider">The clock whose timestamps the caller passes in; only its frequency is used.</param>
    /// <exception cref="ArgumentException">
    /// <see cref="CongestionOptions.MinimumWindowPackets"/> exceeds <see cref="CongestionOptions.InitialWindowPackets"/>.
    /// </exception>
    public NewRenoCongestionController(CongestionOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.MinimumWindowPackets > options.InitialWindowPackets)
        {
            throw new ArgumentException("The minimum window must not exceed the initial window.", nameof(options));
        }

        _maxDatagramSize = options.MaxDatagramSize;
        _minimumWindow = options.MinimumWindow;
        _lossReductionFactor = options.LossReductionFactor;
        _persistentCongestionThreshold = options.PersistentCongestionThreshold;
        _frequency = timeProvider.TimestampFrequency;
        _congestionWindow = options.InitialWindow;
    }

    /// <summary>The congestion window: the most bytes of ack-eliciting frames allowed in flight.</summary>
    public long CongestionWindow => _congestionWindow;

    /// <summary>Bytes of ack-eliciting frames sent and neither acknowledged, lost nor discarded.</summary>
    public long BytesInFlight => _bytesInFlight;

    /// <summary>The window at which slow start ends; <see cref="long.MaxValue"/> until the first congestion event.</summary>
    public long SlowStartThreshold => _slowStartThreshold;

    /// <summary>Whether the window is below <see cref="SlowStartThreshold"/>, so that it grows by every acknowledged byte.</summary>
    public bool InSlowStart => _congestionWindow < _slowStartThreshold;

    /// <summary>
    /// Whether the controller is in a recovery period: from a congestion event until a frame sent after it is
    /// acknowledged. During recovery the window does not grow and further losses do not reduce it again.
    /// </summary>
    public bool InRecovery => _inRecovery;

    /// <summary>Whether the session said it is application-limited (<see cref="SetAppLimited"/>), which stops window growth.</summary>
    public bool IsAppLimited => _appLimited;

    /// <summary>Bytes that may still be sent before the window is full; zero when it is full or overfull.</summary>
    public long AvailableWindow => Math.Max(0, _congestionWindow - _bytesInFlight);

    /// <summary>Whether an ack-eliciting frame of <paramref name="bytes"/> fits in the window.</summary>
    /// <param name="bytes">The frame's size.</param>
    /// <returns><see langword="true"/> when <see cref="BytesInFlight"/> + <paramref name="bytes"/> ≤ <see cref="CongestionWindow"/>.</returns>
    /// <remarks>
    /// ACK-only frames and probes are exempt (RFC 9002, sections 7 and 7.5): the caller sends them without asking.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public bool CanSend(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return _bytesInFlight + bytes <= _congestionWindow;
    }

    /// <summary>
    /// Tells the controller whether the sender is application-limited: it has room in the window but nothing to send,
    /// or is held back by flow control. While it is, acknowledgements do not grow the window (RFC 9002, section 7.8).
    /// </summary>
    /// <param name="appLimited">
    /// <see langword="true"/> when the session ran out of data to send while <see cref="CanSend"/> allowed more;
    /// <see langword="false"/> as soon as it has data again or is stopped by the window.
    /// </param>
    public void SetAppLimited(bool appLimited) => _appLimited = appLimited;

    /// <summary>Registers a sent frame (RFC 9002, appendix B.4).</summary>
    /// <param name="sentTimestamp">When the frame was sent.</param>
    /// <param name="bytes">The frame's size, the same value given to <see cref="SentFrameTracker{TPayload}.OnFrameSent"/>.</param>
    /// <param name="ackEliciting">Whether the frame is ack-eliciting; only such frames count in <see cref="BytesInFlight"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public void OnPacketSent(long sentTimestamp, int bytes, bool ackEliciting)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Debug.Assert(sentTimestamp != NoRecovery);
        if (ackEliciting)
        {
            _bytesInFlight += bytes;
        }
    }

    /// <summary>Registers the acknowledgement of an ack-eliciting frame and grows the window (RFC 9002, appendix B.5).</summary>
    /// <param name="sentTimestamp">When the acknowledged frame was sent (<see cref="SentFrame{TPayload}.SentTimestamp"/>).</param>
    /// <param name="bytes">The frame's size as given to <see cref="OnPacketSent"/>.</param>
    /// <param name="now">When the acknowledgement arrived; not before <paramref name="sentTimestamp"/>.</param>
    /// <remarks>
    /// The window does not grow for a frame sent before the current recovery period started, nor while the sender is
    /// application-limited. Otherwise it grows by <paramref name="bytes"/> in slow start and by
    /// <see cref="CongestionOptions.MaxDatagramSize"/> × <paramref name="bytes"/> / <see cref="CongestionWindow"/> in
    /// congestion avoidance. Acknowledging a frame sent after the recovery start ends the recovery period.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="bytes"/> is negative or more than <see cref="BytesInFlight"/>, which happens when a frame that is
    /// not ack-eliciting, or one already reported, is reported.
    /// </exception>
    public void OnPacketAcked(long sentTimestamp, int bytes, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _bytesInFlight);
        Debug.Assert(now >= sentTimestamp, "An acknowledgement cannot arrive before its frame was sent.");
        _bytesInFlight -= bytes;
        if (sentTimestamp <= _recoveryStart)
        {
            return;
        }

        _inRecovery = false;
        if (_appLimited)
        {
            return;
        }

        if (_congestionWindow < _slowStartThreshold)
        {
            _congestionWindow += bytes;
            return;
        }

        long window = _congestionWindow;
        long numerator = (_maxDatagramSize * bytes) + _avoidanceRemainder;
        _congestionWindow = window + (numerator / window);
        _avoidanceRemainder = numerator % window;
    }

    /// <summary>
    /// Registers ack-eliciting frames declared lost by one loss-detection pass and reacts to the congestion event
    /// (RFC 9002, appendices B.6 and B.8).
    /// </summary>
    /// <param name="largestLostSentTimestamp">The latest send time among the lost frames.</param>
    /// <param name="lostBytes">Their total size as given to <see cref="OnPacketSent"/>.</param>
    /// <param name="now">When the loss was detected; it becomes the recovery start.</param>
    /// <remarks>
    /// The first loss of a frame sent after the current recovery start begins a new recovery period: the window is
    /// multiplied by <see cref="CongestionOptions.LossReductionFactor"/>, no lower than the minimum window, and the slow
    /// start threshold set to it. Losses of frames sent before the recovery start only leave the flight, so several
    /// losses in one round reduce the window once. Calling it once per lost frame gives the same result.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lostBytes"/> is negative or more than <see cref="BytesInFlight"/>.</exception>
    public void OnPacketsLost(long largestLostSentTimestamp, int lostBytes, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lostBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lostBytes, _bytesInFlight);
        _bytesInFlight -= lostBytes;
        if (largestLostSentTimestamp <= _recoveryStart)
        {
            return;
        }

        _recoveryStart = now;
        _inRecovery = true;
        long reduced = (long)(_congestionWindow * _lossReductionFactor);
        _congestionWindow = Math.Max(reduced, _minimumWindow);
        _slowStartThreshold = _congestionWindow;
        _avoidanceRemainder = 0;
    }

    /// <summary>
    /// Collapses the window to the minimum after persistent congestion (RFC 9002, section 7.6.2), ending any recovery
    /// period. Call it after <see cref="OnPacketsLost"/> when <see cref="IsPersistentCongestion"/> holds.
    /// </summary>
    public void OnPersistentCongestion()
    {
        _congestionWindow = _minimumWindow;
        _avoidanceRemainder = 0;
        _recoveryStart = NoRecovery;
        _inRecovery = false;
    }

    /// <summary>
    /// Removes an ack-eliciting frame from <see cref="BytesInFlight"/> without a congestion signal, for a frame the
    /// session stops tracking without its being acknowledged or lost (RFC 9002, section 6.4).
    /// </summary>
    /// <param name="bytes">The frame's size as given to <see cref="OnPacketSent"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or more than <see cref="BytesInFlight"/>.</exception>
    public void OnPacketDiscarded(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _bytesInFlight);
        _bytesInFlight -= bytes;
    }

    /// <summary>
    /// Whether a run of lost ack-eliciting frames is persistent congestion (RFC 9002, section 7.6): their send times span
    /// more than <see cref="RttEstimator.ProbeTimeout"/> × <see cref="CongestionOptions.PersistentCongestionThreshold"/>.
    /// </summary>
    /// <param name="earliestLostSentTimestamp">The send time of the earliest frame of the run.</param>
    /// <param name="latestLostSentTimestamp">The send time of the latest frame of the run.</param>
    /// <param name="rtt">The session's RTT estimate; without a sample there is no persistent congestion.</param>
    /// <returns><see langword="true"/> when the span exceeds the persistent congestion duration.</returns>
    /// <remarks>
    /// The caller passes two ack-eliciting frames declared lost such that no frame sent between them was
    /// acknowledged, both sent after the first RTT sample was taken (RFC 9002, section 7.6.2). The probe timeout
    /// includes the peer's maximum ACK delay and no backoff.
    /// </remarks>
    public bool IsPersistentCongestion(long earliestLostSentTimestamp, long latestLostSentTimestamp, RttEstimator rtt)
    {
        ArgumentNullException.ThrowIfNull(rtt);
        if (!rtt.HasSample || latestLostSentTimestamp <= earliestLostSentTimestamp)
        {
            return false;
        }

        long duration = TimestampMath.ToTimestampTicks(rtt.ProbeTimeout * _persistentCongestionThreshold, _frequency);
        return latestLostSentTimestamp - earliestLostSentTimestamp > duration;
    }
}

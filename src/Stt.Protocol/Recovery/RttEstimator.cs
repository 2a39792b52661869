namespace Stt.Protocol.Recovery;

/// <summary>
/// Round-trip time estimate of one session, per RFC 9002, section 5: latest, minimum and smoothed RTT and
/// the RTT variation, from which the loss delay and the probe timeout follow.
/// </summary>
/// <remarks>
/// Before the first sample the smoothed RTT is <see cref="RecoveryOptions.InitialRtt"/> and the variation
/// half of it; <see cref="LatestRtt"/> and <see cref="MinRtt"/> are zero. Not thread-safe: the session
/// that owns it serializes calls.
/// </remarks>
public sealed class RttEstimator
{
    private readonly TimeSpan _maxAckDelay;
    private readonly TimeSpan _granularity;
    private readonly double _timeThresholdFactor;

    /// <summary>Creates an estimator holding the initial RTT of <paramref name="options"/>.</summary>
    public RttEstimator(RecoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _maxAckDelay = options.MaxAckDelay;
        _granularity = options.TimerGranularity;
        _timeThresholdFactor = options.TimeThresholdFactor;
        SmoothedRtt = options.InitialRtt;
        RttVariation = TimeSpan.FromTicks(options.InitialRtt.Ticks / 2);
    }

    /// <summary>Whether at least one sample has been taken.</summary>
    public bool HasSample { get; private set; }

    /// <summary>The most recent sample, without ACK delay adjustment; zero before the first sample.</summary>
    public TimeSpan LatestRtt { get; private set; }

    /// <summary>The smallest sample seen, without ACK delay adjustment; zero before the first sample.</summary>
    public TimeSpan MinRtt { get; private set; }

    /// <summary>Exponentially weighted moving average of the samples, ACK delay subtracted (weight 1/8).</summary>
    public TimeSpan SmoothedRtt { get; private set; }

    /// <summary>Mean deviation of the samples from <see cref="SmoothedRtt"/> (weight 1/4).</summary>
    public TimeSpan RttVariation { get; private set; }

    /// <summary>
    /// How long after a later frame was acknowledged an earlier, unacknowledged frame is declared lost:
    /// max(<see cref="RecoveryOptions.TimeThresholdFactor"/> × max(<see cref="SmoothedRtt"/>, <see cref="LatestRtt"/>),
    /// <see cref="RecoveryOptions.TimerGranularity"/>) (RFC 9002, section 6.1.2).
    /// </summary>
    public TimeSpan LossDelay
    {
        get
        {
            TimeSpan rtt = LatestRtt > SmoothedRtt ? LatestRtt : SmoothedRtt;
            TimeSpan delay = rtt * _timeThresholdFactor;
            return delay > _granularity ? delay : _granularity;
        }
    }

    /// <summary>
    /// The probe timeout before backoff: <see cref="SmoothedRtt"/> + max(4 × <see cref="RttVariation"/>,
    /// <see cref="RecoveryOptions.TimerGranularity"/>) + <see cref="RecoveryOptions.MaxAckDelay"/> (RFC 9002, section 6.2.1).
    /// </summary>
    public TimeSpan ProbeTimeout
    {
        get
        {
            TimeSpan variance = TimeSpan.FromTicks(4 * RttVariation.Ticks);
            return SmoothedRtt + (variance > _granularity ? variance : _granularity) + _maxAckDelay;
        }
    }

    /// <summary>Adds an RTT sample (RFC 9002, sections 5.2 and 5.3).</summary>
    /// <param name="latestRtt">Time from sending the largest newly acknowledged frame to receiving its acknowledgement.</param>
    /// <param name="ackDelay">
    /// The delay the peer reported in the ACK. It is capped at <see cref="RecoveryOptions.MaxAckDelay"/>, ignored on
    /// the first sample, and subtracted only when that leaves the sample at or above <see cref="MinRtt"/>.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A negative argument.</exception>
    public void AddSample(TimeSpan latestRtt, TimeSpan ackDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latestRtt, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ackDelay, TimeSpan.Zero);
        LatestRtt = latestRtt;
        if (!HasSample)
        {
            HasSample = true;
            MinRtt = latestRtt;
            SmoothedRtt = latestRtt;
            RttVariation = TimeSpan.FromTicks(latestRtt.Ticks / 2);
            return;
        }

        if (latestRtt < MinRtt)
        {
            MinRtt = latestRtt;
        }

        if (ackDelay > _maxAckDelay)
        {
            ackDelay = _maxAckDelay;
        }

        TimeSpan adjusted = latestRtt >= MinRtt + ackDelay ? latestRtt - ackDelay : latestRtt;
        long deviation = Math.Abs(SmoothedRtt.Ticks - adjusted.Ticks);
        RttVariation = TimeSpan.FromTicks(((3 * RttVariation.Ticks) + deviation) / 4);
        SmoothedRtt = TimeSpan.FromTicks(((7 * SmoothedRtt.Ticks) + adjusted.Ticks) / 8);
    }
}

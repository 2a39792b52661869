using Stt.Protocol.Recovery.Internal;

namespace Stt.Protocol.Recovery.Congestion;

/// <summary>
/// Token-bucket pacer of one session (RFC 9002, section 7.7): spreads frames over the round trip so that a window's
/// worth of frames does not leave in one burst and overrun the socket's send buffer or a bottleneck's queue.
/// </summary>
/// <remarks>
/// <para>
/// The rate is <see cref="CongestionOptions.PacingGain"/> × congestion window / max(smoothed RTT, 1 ms) and the bucket
/// holds <see cref="CongestionOptions.PacingBurstPackets"/> × <see cref="CongestionOptions.MaxDatagramSize"/> bytes. The
/// bucket starts full and refills from the timestamps passed in; there are no timers. Until <see cref="Update"/> is
/// first called the rate uses the initial window and an RTT of 333 ms (RFC 9002, section 6.2.2).
/// </para>
/// <para>
/// Tokens are kept as exact integers in units of 1 / (RTT in timestamp ticks × 2^16) bytes, so the refill per tick is an
/// integer too and no rounding error accumulates however many frames are paced: a frame sent at the timestamp
/// <see cref="GetNextSendTimestamp"/> returned keeps the fraction of a tick it was late as credit. Not thread-safe: the
/// session serializes calls. Allocates nothing after construction.
/// </para>
/// </remarks>
public sealed class Pacer
{
    private const int GainShift = 16;

    private static readonly TimeSpan InitialRtt = TimeSpan.FromMilliseconds(333);
    private static readonly TimeSpan MinimumRtt = TimeSpan.FromMilliseconds(1);

    private readonly bool _enabled;
    private readonly long _burstBytes;
    private readonly long _gainNumerator;
    private readonly long _frequency;
    private readonly long _minimumRttTicks;

    // Rate = _refillPerTick / _bytesScale bytes per timestamp tick; tokens count 1 / _bytesScale bytes.
    private Int128 _refillPerTick;
    private Int128 _bytesScale;
    private Int128 _capacity;
    private Int128 _tokens;
    private long _lastTimestamp = long.MinValue;

    /// <summary>Creates a pacer with a full bucket, at the rate of the initial window over a 333 ms RTT.</summary>
    /// <param name="options">Pacing settings.</param>
    /// <param name="timeProvider">The clock whose timestamps the caller passes in; only its frequency is used.</param>
    public Pacer(CongestionOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _enabled = options.EnablePacing;
        _burstBytes = (long)options.PacingBurstPackets * options.MaxDatagramSize;
        _gainNumerator = (long)Math.Round(options.PacingGain * (1 << GainShift));
        _frequency = timeProvider.TimestampFrequency;
        _minimumRttTicks = TimestampMath.ToTimestampTicks(MinimumRtt, _frequency);
        SetRate(options.InitialWindow, InitialRtt);
        _tokens = _capacity;
    }

    /// <summary>The current pacing rate in bytes per second, rounded down.</summary>
    public long BytesPerSecond => (long)(_refillPerTick * _frequency / _bytesScale);

    /// <summary>The bucket's capacity in bytes: the largest burst sent back to back.</summary>
    public long BurstBytes => _burstBytes;

    /// <summary>When a frame of <paramref name="bytes"/> may be sent.</summary>
    /// <param name="now">The current timestamp.</param>
    /// <param name="bytes">The frame's size; a size above <see cref="BurstBytes"/> waits only for a full bucket.</param>
    /// <returns>
    /// <paramref name="now"/> when the frame may go now, else the later timestamp at which it may. Always
    /// <paramref name="now"/> when pacing is disabled.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public long GetNextSendTimestamp(long now, int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (!_enabled)
        {
            return now;
        }

        Int128 cost = Math.Min(bytes, _burstBytes) * _bytesScale;
        Int128 tokens = TokensAt(now);
        if (tokens >= cost)
        {
            return now;
        }

        Int128 wait = ((cost - tokens) + _refillPerTick - 1) / _refillPerTick;
        return wait >= long.MaxValue ? TimestampMath.Never : TimestampMath.Add(now, (long)wait);
    }

    /// <summary>Takes a sent frame's bytes from the bucket.</summary>
    /// <param name="now">When the frame was sent.</param>
    /// <param name="bytes">The frame's size.</param>
    /// <remarks>
    /// A frame sent before its time (a probe, or a frame the caller chose not to pace) leaves the bucket in debt, at most
    /// one bucket deep, which later frames wait out.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public void OnPacketSent(long now, int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (!_enabled)
        {
            return;
        }

        _tokens = Int128.Max(TokensAt(now) - (bytes * _bytesScale), -_capacity);
        if (now > _lastTimestamp)
        {
            _lastTimestamp = now;
        }
    }

    /// <summary>Sets the rate from a new congestion window or smoothed RTT.</summary>
    /// <param name="congestionWindow">The congestion window in bytes.</param>
    /// <param name="smoothedRtt">The smoothed RTT; below 1 ms counts as 1 ms.</param>
    /// <remarks>
    /// Call it whenever either changes, typically after processing an ACK or a loss. Bytes already in the bucket stay;
    /// the time since the last frame sent refills at the new rate.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="congestionWindow"/> is not positive, or <paramref name="smoothedRtt"/> is negative.
    /// </exception>
    public void Update(long congestionWindow, TimeSpan smoothedRtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(congestionWindow, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(smoothedRtt, TimeSpan.Zero);
        Int128 previousScale = _bytesScale;
        SetRate(congestionWindow, smoothedRtt);
        if (_bytesScale != previousScale)
        {
            _tokens = _tokens * _bytesScale / previousScale;
        }
    }

    private void SetRate(long congestionWindow, TimeSpan smoothedRtt)
    {
        long rttTicks = Math.Max(TimestampMath.ToTimestampTicks(smoothedRtt, _frequency), _minimumRttTicks);
        _refillPerTick = (Int128)_gainNumerator * congestionWindow;
        _bytesScale = (Int128)rttTicks << GainShift;
        _capacity = _burstBytes * _bytesScale;
    }

    // The bucket at `now`: refilled since the last frame sent, up to capacity. Computed without multiplying a long idle
    // time by the rate, which could overflow even 128 bits.
    private Int128 TokensAt(long now)
    {
        if (now <= _lastTimestamp || _tokens >= _capacity)
        {
            return Int128.Min(_tokens, _capacity);
        }

        Int128 elapsed = (Int128)now - _lastTimestamp;
        Int128 deficit = _capacity - _tokens;
        Int128 ticksToFull = (deficit + _refillPerTick - 1) / _refillPerTick;
        return elapsed >= ticksToFull ? _capacity : _tokens + (elapsed * _refillPerTick);
    }
}

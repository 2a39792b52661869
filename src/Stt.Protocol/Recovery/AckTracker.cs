using Stt.Protocol.Encoding;
using Stt.Protocol.Recovery.Internal;

namespace Stt.Protocol.Recovery;

/// <summary>
/// Receive side of acknowledgement, one per session: records the sequence numbers of the frames opened,
/// decides when an ACK is due, and produces the ranges of the next ACK (docs/protocol.md, section 9;
/// RFC 9000, section 13.2).
/// </summary>
/// <remarks>
/// <para>
/// At most <see cref="RecoveryOptions.MaxAckRanges"/> ranges are kept. When a frame would open one range
/// too many, the oldest (lowest) range is dropped and the tracker stops acknowledging anything at or below
/// it, so the state is a fixed array whatever sequence numbers the peer sends. The same happens below the
/// largest sequence of an ACK the peer is known to have received (<see cref="OnAckAcknowledged"/>).
/// A frame below that floor is not acknowledged; its sender declares it lost and resends its content.
/// </para>
/// <para>
/// An ACK is due <see cref="RecoveryOptions.MaxAckDelay"/> after the first unacknowledged ack-eliciting
/// frame, and at once after <see cref="RecoveryOptions.AckElicitingThreshold"/> of them or when an
/// ack-eliciting frame arrives out of order: below the largest sequence received, or above a gap.
/// </para>
/// <para>Timestamps are <see cref="TimeProvider.GetTimestamp"/> values. Not thread-safe: the session serializes calls.</para>
/// </remarks>
public sealed class AckTracker
{
    private readonly TimeProvider _timeProvider;
    private readonly int _maxRanges;
    private readonly int _ackElicitingThreshold;
    private readonly long _maxAckDelayTicks;

    // Small at first, since most sessions see few gaps: grown by doubling, once each, up to MaxAckRanges + 1.
    private const int InitialRangeCapacity = 4;

    // Ascending: index 0 is the oldest range, _count - 1 holds the largest sequence received. One spare slot
    // holds a new range for the moment before the oldest one is dropped.
    private SequenceRange[] _ranges;
    private int _count;
    private ulong _floor;

    private bool _hasReceived;
    private ulong _largestReceived;
    private long _largestReceivedTimestamp;
    private bool _hasAckEliciting;
    private ulong _largestAckEliciting;

    private int _pendingAckEliciting;
    private long _firstPendingTimestamp;
    private bool _ackImmediately;

    /// <summary>Creates an empty tracker.</summary>
    /// <param name="options">Acknowledgement settings.</param>
    /// <param name="timeProvider">The clock whose timestamps the caller passes in.</param>
    public AckTracker(RecoveryOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _maxRanges = options.MaxAckRanges;
        _ackElicitingThreshold = options.AckElicitingThreshold;
        _maxAckDelayTicks = TimestampMath.ToTimestampTicks(options.MaxAckDelay, timeProvider.TimestampFrequency);
        _ranges = new SequenceRange[Math.Min(InitialRangeCapacity, _maxRanges + 1)];
    }

    /// <summary>Number of ranges the next ACK carries.</summary>
    public int RangeCount => _count;

    /// <summary>The largest sequence number received, or <see langword="null"/> before the first frame.</summary>
    public ulong? LargestReceived => _hasReceived ? _largestReceived : null;

    /// <summary>Smallest sequence number the tracker still acknowledges; frames below it are ignored.</summary>
    public ulong AcknowledgementFloor => _floor;

    /// <summary>Ack-eliciting frames received since the last ACK was sent.</summary>
    public int PendingAckElicitingCount => _pendingAckEliciting;

    /// <summary>Records a frame that authenticated.</summary>
    /// <param name="sequence">The frame's sequence number.</param>
    /// <param name="ackEliciting">Whether the frame carries anything besides ACK and CLOSE messages.</param>
    /// <param name="receiveTimestamp">When the frame was received (<see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <remarks>Duplicates and frames below <see cref="AcknowledgementFloor"/> change nothing.</remarks>
    /// <exception cref="ProtocolViolationException">The sequence number is beyond 2^62 - 1 (docs/protocol.md, section 3).</exception>
    public void OnFrameReceived(ulong sequence, bool ackEliciting, long receiveTimestamp)
    {
        if (sequence > Varint.MaxValue)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "Frame sequence number beyond 2^62 - 1.");
        }

        if (sequence < _floor)
        {
            return;
        }

        // Frames arrive mostly in order, so the search starts at the newest range.
        int below = _count - 1;
        while (below >= 0 && _ranges[below].Start > sequence)
        {
            below--;
        }

        if (below >= 0 && sequence <= _ranges[below].End)
        {
            return;
        }

        int index = Insert(sequence, below);
        bool arrivedLate = _hasReceived && sequence < _largestReceived;
        if (!arrivedLate)
        {
            _hasReceived = true;
            _largestReceived = sequence;
            _largestReceivedTimestamp = receiveTimestamp;
        }

        if (!ackEliciting || index < 0)
        {
            return;
        }

        // RFC 9000, section 13.2.1: acknowledge at once a frame that fills a gap, or one with frames missing
        // between it and the previous ack-eliciting frame (the floor stands in for ranges no longer kept).
        ulong contiguousFrom = _hasAckEliciting ? _largestAckEliciting + 1 : 0;
        if (arrivedLate || _ranges[index].Start > Math.Max(contiguousFrom, _floor))
        {
            _ackImmediately = true;
        }

        if (!_hasAckEliciting || sequence > _largestAckEliciting)
        {
            _hasAckEliciting = true;
            _largestAckEliciting = sequence;
        }

        if (_pendingAckEliciting == 0)
        {
            _firstPendingTimestamp = receiveTimestamp;
        }

        _pendingAckEliciting++;
    }

    /// <summary>When the next ACK is due.</summary>
    /// <returns>
    /// A timestamp; one at or before the current time means an ACK is due now. <see cref="long.MaxValue"/>
    /// when no ack-eliciting frame awaits acknowledgement.
    /// </returns>
    public long GetAckDeadline()
    {
        if (_pendingAckEliciting == 0 || _count == 0)
        {
            return TimestampMath.Never;
        }

        if (_ackImmediately || _pendingAckEliciting >= _ackElicitingThreshold)
        {
            return _firstPendingTimestamp;
        }

        return TimestampMath.Add(_firstPendingTimestamp, _maxAckDelayTicks);
    }

    /// <summary>Whether an ACK should be sent at <paramref name="now"/>.</summary>
    public bool ShouldSendAck(long now)
    {
        long deadline = GetAckDeadline();
        return deadline != TimestampMath.Never && now >= deadline;
    }

    /// <summary>Writes the ranges of the next ACK, largest first.</summary>
    /// <param name="destination">Receives up to <see cref="RangeCount"/> ranges; when shorter, the newest ranges are written.</param>
    /// <param name="now">The current timestamp, from which the ACK delay is measured.</param>
    /// <param name="largest">The largest sequence acknowledged; 0 when nothing is written.</param>
    /// <param name="ackDelay">Time since the frame with sequence <paramref name="largest"/> was received.</param>
    /// <returns>Ranges written; 0 when there is nothing to acknowledge.</returns>
    /// <remarks>Does not change the tracker: call <see cref="OnAckSent"/> once the ACK is sealed.</remarks>
    public int WriteAckRanges(Span<SequenceRange> destination, long now, out ulong largest, out TimeSpan ackDelay)
    {
        if (_count == 0)
        {
            largest = 0;
            ackDelay = TimeSpan.Zero;
            return 0;
        }

        largest = _ranges[_count - 1].End;
        ackDelay = now > _largestReceivedTimestamp ? _timeProvider.GetElapsedTime(_largestReceivedTimestamp, now) : TimeSpan.Zero;
        int written = Math.Min(_count, destination.Length);
        for (int i = 0; i < written; i++)
        {
            destination[i] = _ranges[_count - 1 - i];
        }

        return written;
    }

    /// <summary>Records that an ACK with the ranges of <see cref="WriteAckRanges"/> was sealed: nothing is pending any more.</summary>
    public void OnAckSent()
    {
        _pendingAckEliciting = 0;
        _ackImmediately = false;
    }

    /// <summary>
    /// Records that the peer acknowledged a frame carrying one of our ACKs, so the peer knows about every
    /// sequence that ACK named: ranges at or below its largest are dropped and no longer acknowledged
    /// (RFC 9000, section 13.2.4).
    /// </summary>
    /// <param name="largestAcknowledged">The largest sequence of the ACK in the acknowledged frame, kept by the session with that frame.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="largestAcknowledged"/> was never received.</exception>
    public void OnAckAcknowledged(ulong largestAcknowledged)
    {
        if (!_hasReceived || largestAcknowledged > _largestReceived)
        {
            throw new ArgumentOutOfRangeException(nameof(largestAcknowledged), largestAcknowledged, "The largest sequence of an ACK sent must be a sequence received.");
        }

        if (largestAcknowledged < _floor)
        {
            return;
        }

        ulong floor = largestAcknowledged + 1;
        int removed = 0;
        while (removed < _count && _ranges[removed].End < floor)
        {
            removed++;
        }

        RemoveOldest(removed);
        if (_count > 0 && _ranges[0].Start < floor)
        {
            _ranges[0] = _ranges[0] with { Start = floor };
        }

        _floor = floor;
        if (_count == 0)
        {
            _pendingAckEliciting = 0;
            _ackImmediately = false;
        }
    }

    // Adds sequence above range `below` (-1: below every range); returns the index of the range holding it,
    // or -1 when that range was the oldest and was dropped at once.
    private int Insert(ulong sequence, int below)
    {
        bool joinsBelow = below >= 0 && _ranges[below].End + 1 == sequence;
        bool joinsAbove = below + 1 < _count && _ranges[below + 1].Start == sequence + 1;
        if (joinsBelow && joinsAbove)
        {
            _ranges[below] = _ranges[below] with { End = _ranges[below + 1].End };
            _ranges.AsSpan(below + 2, _count - below - 2).CopyTo(_ranges.AsSpan(below + 1));
            _count--;
            return below;
        }

        if (joinsBelow)
        {
            _ranges[below] = _ranges[below] with { End = sequence };
            return below;
        }

        if (joinsAbove)
        {
            _ranges[below + 1] = _ranges[below + 1] with { Start = sequence };
            return below + 1;
        }

        int index = below + 1;
        if (_count == _ranges.Length)
        {
            // _count is at most _maxRanges here, so the array never needs more than _maxRanges + 1 slots.
            Array.Resize(ref _ranges, Math.Min(_ranges.Length * 2, _maxRanges + 1));
        }

        _ranges.AsSpan(index, _count - index).CopyTo(_ranges.AsSpan(index + 1));
        _ranges[index] = new SequenceRange(sequence, sequence);
        _count++;
        if (_count <= _maxRanges)
        {
            return index;
        }

        _floor = _ranges[0].End + 1;
        RemoveOldest(1);
        return index - 1;
    }

    private void RemoveOldest(int removed)
    {
        if (removed == 0)
        {
            return;
        }

        _ranges.AsSpan(removed, _count - removed).CopyTo(_ranges);
        _count -= removed;
    }
}

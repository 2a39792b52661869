using System.Numerics;
using Stt.Protocol.Encoding;
using Stt.Protocol.Recovery.Internal;

namespace Stt.Protocol.Recovery;

/// <summary>
/// Send side of loss recovery, one per session (RFC 9002, sections 5 and 6; docs/protocol.md, section 11):
/// tracks every sealed frame until it is acknowledged or declared lost, keeps the RTT estimate, counts
/// bytes in flight, and runs the loss-detection and probe timer.
/// </summary>
/// <typeparam name="TPayload">
/// The session's descriptor of what a frame carried, handed back when the frame is acknowledged or lost.
/// A small struct, or an index into session-owned storage, keeps tracking free of allocation.
/// </typeparam>
/// <remarks>
/// <para>
/// Frames live in a ring buffer indexed by sequence number, which is dense (docs/protocol.md, section 3):
/// every frame the session seals, ACK-only frames included, must be registered, in order, from sequence 0.
/// The ring covers the frames from the oldest one neither acknowledged nor lost to the newest, grows by
/// doubling up to <see cref="RecoveryOptions.MaxTrackedFrames"/>, and reuses its slots, so steady-state
/// sending allocates nothing.
/// </para>
/// <para>
/// Timestamps are <see cref="TimeProvider.GetTimestamp"/> values and deadlines are timestamps, with
/// <see cref="long.MaxValue"/> meaning none. Not thread-safe: the session serializes calls.
/// </para>
/// </remarks>
public sealed class SentFrameTracker<TPayload>
{
    // Small, so an idle session holds little (a slot is about 90 bytes with the session's payload): a busy one doubles
    // it a few times, once each, up to MaxTrackedFrames.
    private const int InitialCapacity = 8;

    private readonly TimeProvider _timeProvider;
    private readonly long _frequency;
    private readonly int _packetThreshold;
    private readonly int _maxTrackedFrames;
    private readonly int _maxConsecutivePtos;

    private SentFrameSlot<TPayload>[] _slots;
    private ulong _oldest;
    private ulong _next;

    private bool _hasLargestAcknowledged;
    private ulong _largestAcknowledged;
    private long _bytesInFlight;
    private int _ackElicitingInFlight;
    private long _lastAckElicitingTimestamp;
    private long _lossTime = TimestampMath.Never;
    private int _ptoCount;

    /// <summary>Creates a tracker that expects sequence 0 first.</summary>
    /// <param name="options">Recovery settings.</param>
    /// <param name="timeProvider">The clock whose timestamps the caller passes in.</param>
    public SentFrameTracker(RecoveryOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _frequency = timeProvider.TimestampFrequency;
        _packetThreshold = options.PacketThreshold;
        _maxTrackedFrames = options.MaxTrackedFrames;
        _maxConsecutivePtos = options.MaxConsecutivePtos;
        _slots = new SentFrameSlot<TPayload>[Math.Min(InitialCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)_maxTrackedFrames))];
        Rtt = new RttEstimator(options);
    }

    /// <summary>The session's round-trip time estimate, updated by acknowledgements.</summary>
    public RttEstimator Rtt { get; }

    /// <summary>The sequence number the next <see cref="OnFrameSent"/> must carry.</summary>
    public ulong NextSequence => _next;

    /// <summary>The largest sequence number the peer acknowledged, or <see langword="null"/> before the first ACK.</summary>
    public ulong? LargestAcknowledged => _hasLargestAcknowledged ? _largestAcknowledged : null;

    /// <summary>Bytes of ack-eliciting frames neither acknowledged nor declared lost (RFC 9002, bytes_in_flight).</summary>
    public long BytesInFlight => _bytesInFlight;

    /// <summary>Ack-eliciting frames neither acknowledged nor declared lost.</summary>
    public int AckElicitingInFlight => _ackElicitingInFlight;

    /// <summary>Probe timeouts since the last acknowledgement of a new frame; the probe timeout doubles with each.</summary>
    public int ConsecutivePtoCount => _ptoCount;

    /// <summary>Whether <see cref="ConsecutivePtoCount"/> reached <see cref="RecoveryOptions.MaxConsecutivePtos"/>.</summary>
    public bool IsPeerUnresponsive => _ptoCount >= _maxConsecutivePtos;

    /// <summary>Sequence numbers tracked: from the oldest frame neither acknowledged nor lost to the newest frame sent.</summary>
    public int TrackedFrameCount => (int)(_next - _oldest);

    /// <summary>
    /// Frames that can still be sent before the tracker is full. A session stops sealing new data while this
    /// is small, keeping two for probes.
    /// </summary>
    public int RemainingCapacity => _maxTrackedFrames - TrackedFrameCount;

    /// <summary>Slots allocated in the ring buffer: a power of two, at most <see cref="RecoveryOptions.MaxTrackedFrames"/> rounded up.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Registers a sealed frame.</summary>
    /// <param name="sequence">The frame's sequence number: exactly <see cref="NextSequence"/>.</param>
    /// <param name="sentTimestamp">When the frame was sent (<see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <param name="bytes">Size counted in <see cref="BytesInFlight"/> while an ack-eliciting frame is in flight.</param>
    /// <param name="ackEliciting">Whether the frame carries anything besides ACK and CLOSE messages.</param>
    /// <param name="payload">The session's descriptor of what the frame carried.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="sequence"/> is not <see cref="NextSequence"/> or is beyond 2^62 - 1, or <paramref name="bytes"/> is negative.
    /// </exception>
    /// <exception cref="InvalidOperationException">The tracker is full (<see cref="RemainingCapacity"/> is 0).</exception>
    public void OnFrameSent(ulong sequence, long sentTimestamp, int bytes, bool ackEliciting, TPayload payload)
    {
        if (sequence != _next)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Every sealed frame, ACK-only frames included, must be registered in sequence order from 0.");
        }

        if (sequence > Varint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "The sequence space ends at 2^62 - 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        int tracked = TrackedFrameCount;
        if (tracked >= _maxTrackedFrames)
        {
            throw new InvalidOperationException("The sent-frame tracker is full: wait for acknowledgements before sealing more frames.");
        }

        if (tracked == _slots.Length)
        {
            Grow();
        }

        ref SentFrameSlot<TPayload> slot = ref Slot(sequence);
        slot.Frame = new SentFrame<TPayload>(sequence, sentTimestamp, bytes, ackEliciting, payload);
        slot.State = SentFrameState.Outstanding;
        _next = sequence + 1;
        if (ackEliciting)
        {
            _bytesInFlight += bytes;
            _ackElicitingInFlight++;
            _lastAckElicitingTimestamp = sentTimestamp;
        }
    }

    /// <summary>
    /// Processes an ACK (RFC 9002, section 6 and appendix A.7): reports each newly acknowledged frame, takes an
    /// RTT sample, declares lost the frames the packet and time thresholds condemn, and resets the probe backoff.
    /// </summary>
    /// <param name="ranges">The ACK's ranges, largest first, disjoint, at most <see cref="RecoveryOptions.MaxAckRangesLimit"/>.</param>
    /// <param name="ackDelay">The ACK delay the peer reported.</param>
    /// <param name="now">When the ACK was received (<see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <param name="sink">Receives acknowledged frames in ascending sequence order, then lost frames in ascending order.</param>
    /// <remarks>
    /// Sequences already acknowledged or declared lost are ignored, so a duplicate ACK changes nothing. An RTT
    /// sample is taken when the ACK's largest sequence is newly acknowledged and at least one newly acknowledged
    /// frame is ack-eliciting (RFC 9002, section 5.1). Nothing changes when the ACK acknowledges nothing new.
    /// </remarks>
    /// <exception cref="ProtocolViolationException">
    /// The ACK names a sequence never sent, or its ranges are malformed, out of order or too many; nothing changed.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ackDelay"/> is negative.</exception>
    public void OnAckReceived<TSink>(ReadOnlySpan<SequenceRange> ranges, TimeSpan ackDelay, long now, ref TSink sink)
        where TSink : ISentFrameSink<TPayload>, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ackDelay, TimeSpan.Zero);
        if (ranges.IsEmpty)
        {
            return;
        }

        ValidateRanges(ranges);
        ulong largest = ranges[0].End;
        if (!_hasLargestAcknowledged || largest > _largestAcknowledged)
        {
            _hasLargestAcknowledged = true;
            _largestAcknowledged = largest;
        }

        int newlyAcknowledged = 0;
        bool ackElicitingAcknowledged = false;
        bool largestNewlyAcknowledged = false;
        long largestSentTimestamp = 0;
        for (int i = ranges.Length - 1; i >= 0; i--)
        {
            SequenceRange range = ranges[i];
            if (range.End < _oldest)
            {
                continue;
            }

            for (ulong sequence = Math.Max(range.Start, _oldest); sequence <= range.End; sequence++)
            {
                ref SentFrameSlot<TPayload> slot = ref Slot(sequence);
                if (slot.State != SentFrameState.Outstanding)
                {
                    continue;
                }

                slot.State = SentFrameState.Acknowledged;
                newlyAcknowledged++;
                if (slot.Frame.IsAckEliciting)
                {
                    ackElicitingAcknowledged = true;
                    RemoveFromFlight(slot.Frame.Bytes);
                }

                if (sequence == largest)
                {
                    largestNewlyAcknowledged = true;
                    largestSentTimestamp = slot.Frame.SentTimestamp;
                }

                sink.OnFrameAcknowledged(in slot.Frame);
            }
        }

        if (newlyAcknowledged == 0)
        {
            return;
        }

        if (largestNewlyAcknowledged && ackElicitingAcknowledged)
        {
            TimeSpan latestRtt = now > largestSentTimestamp ? _timeProvider.GetElapsedTime(largestSentTimestamp, now) : TimeSpan.Zero;
            Rtt.AddSample(latestRtt, ackDelay);
        }

        DetectLostFrames(now, ref sink);
        _ptoCount = 0;
    }

    /// <summary>
    /// When <see cref="OnLossDetectionTimeout"/> is next due: the earliest time-threshold loss if a frame awaits
    /// one, else the probe timeout after the last ack-eliciting frame sent,
    /// <see cref="RttEstimator.ProbeTimeout"/> × 2^<see cref="ConsecutivePtoCount"/>.
    /// </summary>
    /// <returns>A timestamp, or <see cref="long.MaxValue"/> when no ack-eliciting frame is in flight.</returns>
    public long GetLossDetectionDeadline()
    {
        if (_lossTime != TimestampMath.Never)
        {
            return _lossTime;
        }

        if (_ackElicitingInFlight == 0)
        {
            return TimestampMath.Never;
        }

        long probeTimeout = TimestampMath.ShiftLeft(TimestampMath.ToTimestampTicks(Rtt.ProbeTimeout, _frequency), _ptoCount);
        return TimestampMath.Add(_lastAckElicitingTimestamp, probeTimeout);
    }

    /// <summary>Runs the loss-detection timer (RFC 9002, appendix A.9).</summary>
    /// <param name="now">The current timestamp.</param>
    /// <param name="sink">Receives the frames declared lost by the time threshold, in ascending order.</param>
    /// <returns>What the session must do; see <see cref="LossTimerOutcome"/>.</returns>
    /// <remarks>
    /// Before <see cref="GetLossDetectionDeadline"/> it does nothing. A probe timeout declares nothing lost: it
    /// doubles the next probe timeout and asks for probes, or reports the peer unresponsive once
    /// <see cref="RecoveryOptions.MaxConsecutivePtos"/> timeouts passed without an acknowledgement.
    /// </remarks>
    public LossTimerOutcome OnLossDetectionTimeout<TSink>(long now, ref TSink sink)
        where TSink : ISentFrameSink<TPayload>, allows ref struct
    {
        long deadline = GetLossDetectionDeadline();
        if (deadline == TimestampMath.Never || now < deadline)
        {
            return LossTimerOutcome.None;
        }

        if (_lossTime != TimestampMath.Never)
        {
            return DetectLostFrames(now, ref sink) > 0 ? LossTimerOutcome.FramesLost : LossTimerOutcome.None;
        }

        _ptoCount++;
        return _ptoCount >= _maxConsecutivePtos ? LossTimerOutcome.PeerUnresponsive : LossTimerOutcome.SendProbes;
    }

    /// <summary>Gets the oldest ack-eliciting frame still in flight, whose content a probe may carry again.</summary>
    /// <returns><see langword="false"/> when no ack-eliciting frame is in flight.</returns>
    public bool TryGetOldestInFlight(out SentFrame<TPayload> frame)
    {
        if (_ackElicitingInFlight > 0)
        {
            for (ulong sequence = _oldest; sequence < _next; sequence++)
            {
                ref SentFrameSlot<TPayload> slot = ref Slot(sequence);
                if (slot.State == SentFrameState.Outstanding && slot.Frame.IsAckEliciting)
                {
                    frame = slot.Frame;
                    return true;
                }
            }
        }

        frame = default;
        return false;
    }

    // RFC 9002, appendix A.10: every outstanding frame at or below the largest acknowledged is lost once the
    // packet threshold or the time threshold passes; the earliest time-threshold deadline left arms the timer.
    private int DetectLostFrames<TSink>(long now, ref TSink sink)
        where TSink : ISentFrameSink<TPayload>, allows ref struct
    {
        _lossTime = TimestampMath.Never;
        int lost = 0;
        if (_hasLargestAcknowledged)
        {
            long lossDelay = TimestampMath.ToTimestampTicks(Rtt.LossDelay, _frequency);
            for (ulong sequence = _oldest; sequence <= _largestAcknowledged && sequence < _next; sequence++)
            {
                ref SentFrameSlot<TPayload> slot = ref Slot(sequence);
                if (slot.State != SentFrameState.Outstanding)
                {
                    continue;
                }

                if (_largestAcknowledged - sequence >= (ulong)_packetThreshold || now - slot.Frame.SentTimestamp >= lossDelay)
                {
                    slot.State = SentFrameState.Lost;
                    if (slot.Frame.IsAckEliciting)
                    {
                        RemoveFromFlight(slot.Frame.Bytes);
                    }

                    lost++;
                    sink.OnFrameLost(in slot.Frame);
                }
                else
                {
                    _lossTime = Math.Min(_lossTime, TimestampMath.Add(slot.Frame.SentTimestamp, lossDelay));
                }
            }
        }

        ReleaseResolved();
        return lost;
    }

    private void ValidateRanges(ReadOnlySpan<SequenceRange> ranges)
    {
        if (ranges.Length > RecoveryOptions.MaxAckRangesLimit)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "ACK carries more than 64 ranges.");
        }

        for (int i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Start > ranges[i].End || (i > 0 && ranges[i].End >= ranges[i - 1].Start))
            {
                ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "ACK ranges are malformed, overlapping or not in descending order.");
            }
        }

        if (ranges[0].End >= _next)
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "ACK names a sequence number that was never sent.");
        }
    }

    private void RemoveFromFlight(int bytes)
    {
        _bytesInFlight -= bytes;
        _ackElicitingInFlight--;
    }

    // Slots of resolved frames stay until every older frame is resolved too, then are cleared for reuse
    // (clearing also drops any reference the payload holds).
    private void ReleaseResolved()
    {
        while (_oldest < _next)
        {
            ref SentFrameSlot<TPayload> slot = ref Slot(_oldest);
            if (slot.State == SentFrameState.Outstanding)
            {
                break;
            }

            slot = default;
            _oldest++;
        }
    }

    private void Grow()
    {
        var grown = new SentFrameSlot<TPayload>[_slots.Length * 2];
        ulong oldMask = (ulong)_slots.Length - 1;
        ulong newMask = (ulong)grown.Length - 1;
        for (ulong sequence = _oldest; sequence < _next; sequence++)
        {
            grown[sequence & newMask] = _slots[sequence & oldMask];
        }

        _slots = grown;
    }

    private ref SentFrameSlot<TPayload> Slot(ulong sequence) => ref _slots[(int)(sequence & ((ulong)_slots.Length - 1))];
}

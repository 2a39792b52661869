using Stt.Protocol.Encoding;
using Stt.Protocol.Recovery;
using Xunit;

namespace Stt.Protocol.Tests.Recovery;

public sealed class SentFrameTrackerTests
{
    private static readonly TimeSpan InitialPto = TimeSpan.FromMilliseconds(333 + (4 * 166.5) + 25);

    private readonly NanosecondTimeProvider _clock = new();
    private readonly RecordingSink _sink = new();

    private SentFrameTracker<int> Create(RecoveryOptions? options = null) => new(options ?? TestRecoveryOptions.Rfc9002, _clock);

    private static SequenceRange R(ulong start, ulong end) => new(start, end);

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private void Send(SentFrameTracker<int> tracker, int count, int bytes = 100, bool ackEliciting = true)
    {
        for (int i = 0; i < count; i++)
        {
            ulong sequence = tracker.NextSequence;
            tracker.OnFrameSent(sequence, _clock.GetTimestamp(), bytes, ackEliciting, (int)sequence * 10);
        }
    }

    private void Ack(SentFrameTracker<int> tracker, params SequenceRange[] ranges) => Ack(tracker, TimeSpan.Zero, ranges);

    private void Ack(SentFrameTracker<int> tracker, TimeSpan ackDelay, params SequenceRange[] ranges)
    {
        RecordingSink sink = _sink;
        tracker.OnAckReceived(ranges, ackDelay, _clock.GetTimestamp(), ref sink);
    }

    private LossTimerOutcome Fire(SentFrameTracker<int> tracker, long now)
    {
        RecordingSink sink = _sink;
        return tracker.OnLossDetectionTimeout(now, ref sink);
    }

    [Fact]
    public void OnAckReceived_AcknowledgedFrames_ReportedOnceInAscendingOrderWithTheirPayload()
    {
        SentFrameTracker<int> tracker = Create();
        long sent = _clock.GetTimestamp();
        Send(tracker, 7);
        _clock.AdvanceMilliseconds(10);

        Ack(tracker, R(5, 6), R(0, 2));

        Assert.Equal([0UL, 1, 2, 5, 6], _sink.AcknowledgedSequences);
        Assert.Equal(new SentFrame<int>(5, sent, 100, true, 50), _sink.Acknowledged[3]);
        Assert.Equal(6UL, tracker.LargestAcknowledged);

        // Frame 3 is three below the largest: lost. Frame 4 stays in flight.
        Assert.Equal([3UL], _sink.LostSequences);
        Assert.Equal(100, tracker.BytesInFlight);
        Assert.Equal(1, tracker.AckElicitingInFlight);
    }

    [Fact]
    public void OnAckReceived_PacketThreshold_FramesThreeBelowTheLargestAreLost()
    {
        SentFrameTracker<int> tracker = Create();
        long sent = _clock.GetTimestamp();
        Send(tracker, 6);
        _clock.AdvanceMilliseconds(50);

        Ack(tracker, R(4, 5));

        Assert.Equal([4UL, 5], _sink.AcknowledgedSequences);
        Assert.Equal([0UL, 1, 2], _sink.LostSequences);
        Assert.Equal(100, tracker.BytesInFlight);
        Assert.Equal(1, tracker.AckElicitingInFlight);
        Assert.Equal(Ms(50), tracker.Rtt.LatestRtt);

        // Frame 3 is only one behind the threshold: it waits for 9/8 x 50 ms after it was sent.
        Assert.Equal(NanosecondTimeProvider.After(sent, Ms(56.25)), tracker.GetLossDetectionDeadline());
    }

    [Fact]
    public void OnAckReceived_FramesOneToFiveAckFourAndFive_OneAndTwoLostThreeWaits()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(40);
        Ack(tracker, R(0, 0));
        Send(tracker, 5);
        _clock.AdvanceMilliseconds(40);
        _sink.Clear();

        Ack(tracker, R(4, 5), R(0, 0));

        Assert.Equal([4UL, 5], _sink.AcknowledgedSequences);
        Assert.Equal([1UL, 2], _sink.LostSequences);
        Assert.Equal(1, tracker.AckElicitingInFlight);
        Assert.True(tracker.TryGetOldestInFlight(out SentFrame<int> waiting));
        Assert.Equal(3UL, waiting.Sequence);
    }

    [Fact]
    public void OnLossDetectionTimeout_TimeThreshold_DeclaresTheWaitingFrameLostAtTheDeadline()
    {
        SentFrameTracker<int> tracker = Create();
        long sent = _clock.GetTimestamp();
        Send(tracker, 6);
        _clock.AdvanceMilliseconds(50);
        Ack(tracker, R(4, 5));
        _sink.Clear();
        long deadline = tracker.GetLossDetectionDeadline();

        Assert.Equal(LossTimerOutcome.None, Fire(tracker, deadline - 1));
        Assert.Empty(_sink.Lost);

        Assert.Equal(LossTimerOutcome.FramesLost, Fire(tracker, deadline));
        Assert.Equal([3UL], _sink.LostSequences);
        Assert.Equal(new SentFrame<int>(3, sent, 100, true, 30), _sink.Lost[0]);
        Assert.Equal(0, tracker.BytesInFlight);
        Assert.Equal(long.MaxValue, tracker.GetLossDetectionDeadline());
        Assert.Equal(0, tracker.TrackedFrameCount);
    }

    [Fact]
    public void OnAckReceived_FrameOlderThanLossDelayBehindAnAcknowledgedOne_IsLostAtOnce()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(100);
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(50);

        Ack(tracker, R(1, 1));

        // RTT 50 ms, loss delay 56.25 ms; frame 0 went out 150 ms ago.
        Assert.Equal([1UL], _sink.AcknowledgedSequences);
        Assert.Equal([0UL], _sink.LostSequences);
        Assert.Equal(long.MaxValue, tracker.GetLossDetectionDeadline());
    }

    [Fact]
    public void OnAckReceived_LaterAckForALostFrame_IsIgnored()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 5);
        Ack(tracker, R(3, 4));
        Assert.Equal([0UL, 1], _sink.LostSequences);
        _sink.Clear();

        Ack(tracker, R(0, 1));

        Assert.Empty(_sink.Acknowledged);
        Assert.Empty(_sink.Lost);
        Assert.Equal(100, tracker.BytesInFlight);
    }

    [Fact]
    public void OnAckReceived_DuplicateAck_IsIdempotent()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 3);
        _clock.AdvanceMilliseconds(30);
        Ack(tracker, R(0, 1));
        TimeSpan smoothed = tracker.Rtt.SmoothedRtt;
        long deadline = tracker.GetLossDetectionDeadline();
        _sink.Clear();
        _clock.AdvanceMilliseconds(70);

        Ack(tracker, R(0, 1));
        Ack(tracker, R(0, 1));

        Assert.Empty(_sink.Acknowledged);
        Assert.Empty(_sink.Lost);
        Assert.Equal(smoothed, tracker.Rtt.SmoothedRtt);
        Assert.Equal(Ms(30), tracker.Rtt.LatestRtt);
        Assert.Equal(100, tracker.BytesInFlight);
        Assert.Equal(deadline, tracker.GetLossDetectionDeadline());
    }

    [Fact]
    public void OnAckReceived_NeverSentSequence_IsProtocolViolationAndChangesNothing()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 3);

        var exception = Assert.Throws<ProtocolViolationException>(() => Ack(tracker, R(3, 3)));
        Assert.Equal(ProtocolErrorCode.ProtocolViolation, exception.ErrorCode);
        Assert.Throws<ProtocolViolationException>(() => Ack(tracker, R(0, 5)));

        Assert.Empty(_sink.Acknowledged);
        Assert.Null(tracker.LargestAcknowledged);
        Assert.Equal(300, tracker.BytesInFlight);
    }

    [Fact]
    public void OnAckReceived_NothingSent_IsProtocolViolation()
    {
        SentFrameTracker<int> tracker = Create();

        Assert.Throws<ProtocolViolationException>(() => Ack(tracker, R(0, 0)));
    }

    [Fact]
    public void OnAckReceived_MalformedRanges_AreProtocolViolations()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 200);
        var tooMany = new SequenceRange[RecoveryOptions.MaxAckRangesLimit + 1];
        for (int i = 0; i < tooMany.Length; i++)
        {
            ulong sequence = (ulong)(2 * (tooMany.Length - 1 - i));
            tooMany[i] = R(sequence, sequence);
        }

        Assert.Throws<ProtocolViolationException>(() => Ack(tracker, R(0, 0), R(2, 2)));
        Assert.Throws<ProtocolViolationException>(() => Ack(tracker, R(2, 5), R(1, 3)));
        Assert.Throws<ProtocolViolationException>(() => Ack(tracker, R(3, 2)));
        Assert.Throws<ProtocolViolationException>(() => Ack(tracker, tooMany));
        Assert.Empty(_sink.Acknowledged);

        Ack(tracker, tooMany[..^1]);
        Assert.Equal(64, _sink.Acknowledged.Count);
    }

    [Fact]
    public void OnAckReceived_EmptyRanges_ChangesNothing()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);

        Ack(tracker);

        Assert.Null(tracker.LargestAcknowledged);
        Assert.Equal(100, tracker.BytesInFlight);
    }

    [Fact]
    public void OnAckReceived_LargestNotNewlyAcknowledged_TakesNoRttSample()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 2);
        _clock.AdvanceMilliseconds(10);
        Ack(tracker, R(1, 1));
        _clock.AdvanceMilliseconds(40);

        Ack(tracker, R(0, 1));

        Assert.Equal([1UL, 0], _sink.AcknowledgedSequences);
        Assert.Equal(Ms(10), tracker.Rtt.LatestRtt);
        Assert.Equal(Ms(10), tracker.Rtt.SmoothedRtt);
    }

    [Fact]
    public void OnAckReceived_OnlyNonAckElicitingFramesNewlyAcknowledged_TakesNoRttSample()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 2, ackEliciting: false);
        _clock.AdvanceMilliseconds(10);

        Ack(tracker, R(0, 1));

        Assert.Equal([0UL, 1], _sink.AcknowledgedSequences);
        Assert.False(tracker.Rtt.HasSample);
    }

    [Fact]
    public void OnAckReceived_LargestIsAckOnlyButAnAckElicitingFrameIsNewlyAcknowledged_TakesRttSampleFromTheLargest()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(5);
        Send(tracker, 1, ackEliciting: false);
        _clock.AdvanceMilliseconds(20);

        Ack(tracker, R(0, 1));

        Assert.Equal(Ms(20), tracker.Rtt.LatestRtt);
    }

    [Fact]
    public void OnAckReceived_AckDelay_IsSubtractedFromLaterSamples()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(100);
        Ack(tracker, Ms(10), R(0, 0));
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(120);

        Ack(tracker, Ms(20), R(0, 1));

        Assert.Equal(Ms(120), tracker.Rtt.LatestRtt);
        Assert.Equal(Ms(100), tracker.Rtt.SmoothedRtt);
        Assert.Equal(Ms(37.5), tracker.Rtt.RttVariation);
    }

    [Fact]
    public void OnLossDetectionTimeout_ProbeTimeout_AsksForProbesAndDoublesEachTime()
    {
        SentFrameTracker<int> tracker = Create();
        long t0 = _clock.GetTimestamp();
        Send(tracker, 1);
        long first = tracker.GetLossDetectionDeadline();
        Assert.Equal(NanosecondTimeProvider.After(t0, InitialPto), first);
        Assert.Equal(InitialPto, Ms(1024));

        Assert.Equal(LossTimerOutcome.None, Fire(tracker, first - 1));
        Assert.Equal(0, tracker.ConsecutivePtoCount);
        Assert.Equal(LossTimerOutcome.SendProbes, Fire(tracker, first));
        Assert.Equal(1, tracker.ConsecutivePtoCount);
        Assert.Empty(_sink.Lost);
        Assert.Equal(100, tracker.BytesInFlight);

        _clock.Advance(InitialPto);
        long probeSent = _clock.GetTimestamp();
        Send(tracker, 1);
        long second = tracker.GetLossDetectionDeadline();
        Assert.Equal(NanosecondTimeProvider.After(probeSent, 2 * InitialPto), second);

        Assert.Equal(LossTimerOutcome.SendProbes, Fire(tracker, second));
        Assert.Equal(2, tracker.ConsecutivePtoCount);
        Assert.Equal(NanosecondTimeProvider.After(probeSent, 4 * InitialPto), tracker.GetLossDetectionDeadline());
        Assert.Empty(_sink.Lost);
    }

    [Fact]
    public void OnAckReceived_AfterProbeTimeouts_ResetsTheBackoff()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);
        Assert.Equal(LossTimerOutcome.SendProbes, Fire(tracker, tracker.GetLossDetectionDeadline()));
        Assert.Equal(LossTimerOutcome.SendProbes, Fire(tracker, tracker.GetLossDetectionDeadline()));
        _clock.AdvanceMilliseconds(3_100);
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(100);

        Ack(tracker, R(0, 1));

        Assert.Equal(0, tracker.ConsecutivePtoCount);
        Assert.Equal(long.MaxValue, tracker.GetLossDetectionDeadline());

        long sent = _clock.GetTimestamp();
        Send(tracker, 1);

        // First sample 100 ms: PTO = 100 + 4 x 50 + 25 ms, no backoff.
        Assert.Equal(Ms(325), tracker.Rtt.ProbeTimeout);
        Assert.Equal(NanosecondTimeProvider.After(sent, Ms(325)), tracker.GetLossDetectionDeadline());
    }

    [Fact]
    public void OnLossDetectionTimeout_MaxConsecutivePtos_ReportsThePeerUnresponsive()
    {
        SentFrameTracker<int> tracker = Create(TestRecoveryOptions.Rfc9002 with { MaxConsecutivePtos = 3 });
        long t0 = _clock.GetTimestamp();
        Send(tracker, 1);

        Assert.Equal(LossTimerOutcome.SendProbes, Fire(tracker, NanosecondTimeProvider.After(t0, InitialPto)));
        Assert.Equal(LossTimerOutcome.SendProbes, Fire(tracker, NanosecondTimeProvider.After(t0, 2 * InitialPto)));
        Assert.False(tracker.IsPeerUnresponsive);
        Assert.Equal(LossTimerOutcome.PeerUnresponsive, Fire(tracker, NanosecondTimeProvider.After(t0, 4 * InitialPto)));

        Assert.True(tracker.IsPeerUnresponsive);
        Assert.Equal(3, tracker.ConsecutivePtoCount);
    }

    [Fact]
    public void GetLossDetectionDeadline_NoAckElicitingFrameInFlight_IsNever()
    {
        SentFrameTracker<int> tracker = Create();
        Assert.Equal(long.MaxValue, tracker.GetLossDetectionDeadline());

        Send(tracker, 3, ackEliciting: false);

        Assert.Equal(long.MaxValue, tracker.GetLossDetectionDeadline());
        Assert.Equal(LossTimerOutcome.None, Fire(tracker, _clock.AdvanceMilliseconds(60_000)));
    }

    [Fact]
    public void GetLossDetectionDeadline_ProbeTimeoutRunsFromTheLastAckElicitingFrame()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1);
        long lastAckEliciting = _clock.AdvanceMilliseconds(10);
        Send(tracker, 1);
        _clock.AdvanceMilliseconds(10);

        Send(tracker, 1, bytes: 40, ackEliciting: false);

        Assert.Equal(NanosecondTimeProvider.After(lastAckEliciting, InitialPto), tracker.GetLossDetectionDeadline());
        Assert.Equal(200, tracker.BytesInFlight);
        Assert.Equal(2, tracker.AckElicitingInFlight);
    }

    [Fact]
    public void TryGetOldestInFlight_SkipsAckOnlyAndResolvedFrames()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1, ackEliciting: false);
        Send(tracker, 2);

        Assert.True(tracker.TryGetOldestInFlight(out SentFrame<int> oldest));
        Assert.Equal(1UL, oldest.Sequence);
        Assert.Equal(10, oldest.Payload);

        Ack(tracker, R(1, 1));
        Assert.True(tracker.TryGetOldestInFlight(out oldest));
        Assert.Equal(2UL, oldest.Sequence);

        Ack(tracker, R(0, 2));
        Assert.False(tracker.TryGetOldestInFlight(out _));
        Assert.Equal(0, tracker.TrackedFrameCount);
    }

    [Fact]
    public void OnFrameSent_SequenceNotNext_Throws()
    {
        SentFrameTracker<int> tracker = Create();

        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.OnFrameSent(1, _clock.GetTimestamp(), 100, true, 0));
        Send(tracker, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.OnFrameSent(1, _clock.GetTimestamp(), 100, true, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.OnFrameSent(2, _clock.GetTimestamp(), -1, true, 0));
        Assert.Equal(2UL, tracker.NextSequence);
    }

    [Fact]
    public void OnFrameSent_TrackerFull_ThrowsUntilAFrameResolves()
    {
        SentFrameTracker<int> tracker = Create(TestRecoveryOptions.Rfc9002 with { MaxTrackedFrames = 16 });
        Send(tracker, 16);
        Assert.Equal(0, tracker.RemainingCapacity);

        Assert.Throws<InvalidOperationException>(() => tracker.OnFrameSent(16, _clock.GetTimestamp(), 100, true, 0));

        Ack(tracker, R(0, 0));
        Assert.Equal(1, tracker.RemainingCapacity);
        Send(tracker, 1);
        Assert.Equal(16, tracker.Capacity);
    }

    [Fact]
    public void OnFrameSent_ManyInFlight_GrowsAndKeepsEveryFrame()
    {
        SentFrameTracker<int> tracker = Create();
        Send(tracker, 1_000);

        Assert.Equal(1_024, tracker.Capacity);
        Assert.Equal(1_000, tracker.TrackedFrameCount);
        Assert.Equal(100_000, tracker.BytesInFlight);

        Ack(tracker, R(0, 999));

        Assert.Equal(1_000, _sink.Acknowledged.Count);
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => i * 10), _sink.Acknowledged.Select(f => f.Payload));
        Assert.Equal(0, tracker.TrackedFrameCount);
        Assert.Equal(0, tracker.BytesInFlight);
    }

    [Fact]
    public void OnAckReceived_MillionFramesInSteadyState_ReusesSlotsWithoutAllocating()
    {
        SentFrameTracker<int> tracker = Create();
        var sink = new CountingSink();
        const int window = 32;
        long now = _clock.GetTimestamp();
        Span<SequenceRange> ack = stackalloc SequenceRange[1];

        RunSteadyState(tracker, ref sink, ack, window, frames: 10_000, ref now);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        RunSteadyState(tracker, ref sink, ack, window, frames: 1_000_000, ref now);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(0, allocated);
        Assert.Equal(64, tracker.Capacity);
        Assert.Equal(window, tracker.TrackedFrameCount);
        Assert.Equal(1_010_000 - window, sink.Acknowledged);
        Assert.Equal(0, sink.Lost);
        Assert.Equal(window * 100L, tracker.BytesInFlight);
    }

    // Each step sends one frame and acknowledges the frame sent `window` steps earlier, keeping `window` in flight.
    private static void RunSteadyState(SentFrameTracker<int> tracker, ref CountingSink sink, Span<SequenceRange> ack, int window, int frames, ref long now)
    {
        for (int i = 0; i < frames; i++)
        {
            ulong sequence = tracker.NextSequence;
            tracker.OnFrameSent(sequence, now, 100, true, i);
            now += 1_000;
            if (sequence >= (ulong)window)
            {
                ulong acknowledged = sequence - (ulong)window;
                ack[0] = new SequenceRange(0, acknowledged);
                tracker.OnAckReceived(ack, TimeSpan.Zero, now, ref sink);
            }
        }
    }

    private struct CountingSink : ISentFrameSink<int>
    {
        public int Acknowledged;
        public int Lost;

        public void OnFrameAcknowledged(in SentFrame<int> frame) => Acknowledged++;

        public void OnFrameLost(in SentFrame<int> frame) => Lost++;
    }
}

using Stt.Protocol.Encoding;
using Stt.Protocol.Recovery;
using Xunit;

namespace Stt.Protocol.Tests.Recovery;

public sealed class AckTrackerTests
{
    private readonly NanosecondTimeProvider _clock = new();

    private AckTracker Create(RecoveryOptions? options = null) => new(options ?? TestRecoveryOptions.Rfc9002, _clock);

    private static SequenceRange R(ulong start, ulong end) => new(start, end);

    private SequenceRange[] Ranges(AckTracker tracker)
    {
        var buffer = new SequenceRange[RecoveryOptions.MaxAckRangesLimit];
        int written = tracker.WriteAckRanges(buffer, _clock.GetTimestamp(), out _, out _);
        return buffer[..written];
    }

    private void Receive(AckTracker tracker, bool ackEliciting, params ulong[] sequences)
    {
        foreach (ulong sequence in sequences)
        {
            tracker.OnFrameReceived(sequence, ackEliciting, _clock.GetTimestamp());
        }
    }

    [Fact]
    public void WriteAckRanges_NothingReceived_WritesNothing()
    {
        AckTracker tracker = Create();

        int written = tracker.WriteAckRanges(new SequenceRange[4], _clock.GetTimestamp(), out ulong largest, out TimeSpan ackDelay);

        Assert.Equal(0, written);
        Assert.Equal(0UL, largest);
        Assert.Equal(TimeSpan.Zero, ackDelay);
        Assert.Null(tracker.LargestReceived);
    }

    [Fact]
    public void WriteAckRanges_InOrder_OneRange()
    {
        AckTracker tracker = Create();

        Receive(tracker, true, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);

        Assert.Equal([R(0, 9)], Ranges(tracker));
        Assert.Equal(9UL, tracker.LargestReceived);
    }

    [Fact]
    public void WriteAckRanges_Gaps_RangesLargestFirst()
    {
        AckTracker tracker = Create();

        Receive(tracker, true, 0, 1, 2, 5, 6, 9);

        int written = tracker.WriteAckRanges(new SequenceRange[8], _clock.GetTimestamp(), out ulong largest, out _);
        Assert.Equal(3, written);
        Assert.Equal(9UL, largest);
        Assert.Equal([R(9, 9), R(5, 6), R(0, 2)], Ranges(tracker));
    }

    [Fact]
    public void WriteAckRanges_GapFilledOutOfOrder_MergesRanges()
    {
        AckTracker tracker = Create();

        Receive(tracker, true, 9, 0, 5, 2, 1, 4, 3, 7, 6, 8);

        Assert.Equal([R(0, 9)], Ranges(tracker));
        Assert.Equal(9UL, tracker.LargestReceived);
    }

    [Fact]
    public void WriteAckRanges_Duplicates_Unchanged()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 1, 3);
        tracker.OnAckSent();

        Receive(tracker, true, 1, 0, 3, 3);

        Assert.Equal([R(3, 3), R(0, 1)], Ranges(tracker));
        Assert.Equal(0, tracker.PendingAckElicitingCount);
        Assert.Equal(long.MaxValue, tracker.GetAckDeadline());
    }

    [Fact]
    public void OnFrameReceived_SixtyFiveRanges_DropsTheOldestAndStopsAcknowledgingBelowIt()
    {
        AckTracker tracker = Create();

        // 0, 2, 4, ..., 138: seventy single-frame ranges.
        for (ulong sequence = 0; sequence < 140; sequence += 2)
        {
            tracker.OnFrameReceived(sequence, true, _clock.GetTimestamp());
        }

        SequenceRange[] ranges = Ranges(tracker);
        Assert.Equal(64, tracker.RangeCount);
        Assert.Equal(64, ranges.Length);
        Assert.Equal(R(138, 138), ranges[0]);
        Assert.Equal(R(12, 12), ranges[^1]);
        Assert.Equal(11UL, tracker.AcknowledgementFloor);

        Receive(tracker, true, 1, 10);
        Assert.Equal(R(12, 12), Ranges(tracker)[^1]);

        Receive(tracker, true, 11);
        Assert.Equal(R(11, 12), Ranges(tracker)[^1]);
        Assert.Equal(64, tracker.RangeCount);
    }

    [Fact]
    public void OnFrameReceived_GapsArrivingNewestFirst_KeepsEveryRangeAsTheTableGrows()
    {
        AckTracker tracker = Create();

        // 100, 98, ..., 62: twenty single-frame ranges, each inserted below all the others.
        for (ulong sequence = 100; sequence >= 62; sequence -= 2)
        {
            tracker.OnFrameReceived(sequence, true, _clock.GetTimestamp());
        }

        SequenceRange[] ranges = Ranges(tracker);
        Assert.Equal(20, tracker.RangeCount);
        for (int i = 0; i < ranges.Length; i++)
        {
            ulong expected = 100 - (2 * (ulong)i);
            Assert.Equal(R(expected, expected), ranges[i]);
        }

        Receive(tracker, true, 81);
        Assert.Equal(19, tracker.RangeCount);
        Assert.Contains(R(80, 82), Ranges(tracker));
    }

    [Fact]
    public void OnFrameReceived_NewRangeBelowAllAtCap_IsDroppedAtOnce()
    {
        AckTracker tracker = Create(TestRecoveryOptions.Rfc9002 with { MaxAckRanges = 3 });
        Receive(tracker, true, 10, 20, 30);
        tracker.OnAckSent();

        Receive(tracker, true, 5);

        Assert.Equal([R(30, 30), R(20, 20), R(10, 10)], Ranges(tracker));
        Assert.Equal(6UL, tracker.AcknowledgementFloor);
        Assert.Equal(0, tracker.PendingAckElicitingCount);
    }

    [Fact]
    public void OnFrameReceived_HostileSequences_StateStaysBounded()
    {
        AckTracker tracker = Create();
        var random = new Random(1234);
        ulong high = 0;

        for (int i = 0; i < 100_000; i++)
        {
            high += (ulong)random.Next(0, 3);
            ulong sequence = random.Next(4) == 0 ? (ulong)random.NextInt64(0, (long)high + 1) : high;
            tracker.OnFrameReceived(sequence, random.Next(2) == 0, _clock.GetTimestamp());
            Assert.InRange(tracker.RangeCount, 1, 64);
        }

        SequenceRange[] ranges = Ranges(tracker);
        for (int i = 1; i < ranges.Length; i++)
        {
            Assert.True(ranges[i].End + 1 < ranges[i - 1].Start);
        }

        Assert.True(ranges[^1].Start >= tracker.AcknowledgementFloor);
    }

    [Fact]
    public void WriteAckRanges_DestinationShorterThanRanges_WritesTheNewest()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 2, 4, 6);

        var destination = new SequenceRange[2];
        int written = tracker.WriteAckRanges(destination, _clock.GetTimestamp(), out ulong largest, out _);

        Assert.Equal(2, written);
        Assert.Equal(6UL, largest);
        Assert.Equal([R(6, 6), R(4, 4)], destination);
    }

    [Fact]
    public void WriteAckRanges_AckDelay_IsTimeSinceTheLargestArrived()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 5);
        _clock.AdvanceMilliseconds(3);
        Receive(tracker, true, 2);
        long now = _clock.AdvanceMilliseconds(7);

        tracker.WriteAckRanges(new SequenceRange[4], now, out ulong largest, out TimeSpan ackDelay);

        Assert.Equal(5UL, largest);
        Assert.Equal(TimeSpan.FromMilliseconds(10), ackDelay);
    }

    [Fact]
    public void OnFrameReceived_SequenceBeyondTwoToThe62_IsProtocolViolation()
    {
        AckTracker tracker = Create();

        var exception = Assert.Throws<ProtocolViolationException>(() => tracker.OnFrameReceived(1UL << 62, true, _clock.GetTimestamp()));

        Assert.Equal(ProtocolErrorCode.ProtocolViolation, exception.ErrorCode);
        Assert.Equal(0, tracker.RangeCount);
    }

    [Fact]
    public void ShouldSendAck_OneAckElicitingFrame_AfterMaxAckDelay()
    {
        AckTracker tracker = Create();
        long received = _clock.GetTimestamp();
        tracker.OnFrameReceived(0, true, received);

        Assert.Equal(NanosecondTimeProvider.After(received, TimeSpan.FromMilliseconds(25)), tracker.GetAckDeadline());
        Assert.False(tracker.ShouldSendAck(received));
        _clock.Advance(TimeSpan.FromTicks(249_999));
        Assert.False(tracker.ShouldSendAck(_clock.GetTimestamp()));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(tracker.ShouldSendAck(_clock.GetTimestamp()));
    }

    [Fact]
    public void ShouldSendAck_TwoAckElicitingFrames_Immediately()
    {
        AckTracker tracker = Create();
        long first = _clock.GetTimestamp();
        tracker.OnFrameReceived(0, true, first);
        long second = _clock.AdvanceMilliseconds(1);

        tracker.OnFrameReceived(1, true, second);

        Assert.True(tracker.ShouldSendAck(second));
        Assert.Equal(first, tracker.GetAckDeadline());
    }

    [Fact]
    public void ShouldSendAck_GapAboveLargest_Immediately()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0);
        tracker.OnAckSent();
        long now = _clock.AdvanceMilliseconds(1);

        tracker.OnFrameReceived(2, true, now);

        Assert.Equal(1, tracker.PendingAckElicitingCount);
        Assert.True(tracker.ShouldSendAck(now));
    }

    [Fact]
    public void ShouldSendAck_LateArrivalFillingGap_Immediately()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 2);
        tracker.OnAckSent();
        long now = _clock.AdvanceMilliseconds(1);

        tracker.OnFrameReceived(1, true, now);

        Assert.True(tracker.ShouldSendAck(now));
        Assert.Equal([R(0, 2)], Ranges(tracker));
    }

    [Fact]
    public void ShouldSendAck_FramesMissingSinceLastAckElicitingBehindAckOnlyFrame_Immediately()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0);
        tracker.OnAckSent();
        Receive(tracker, false, 2);
        long now = _clock.AdvanceMilliseconds(1);

        tracker.OnFrameReceived(3, true, now);

        Assert.True(tracker.ShouldSendAck(now));
    }

    [Fact]
    public void ShouldSendAck_InOrderAfterAckOnlyFrames_WaitsForMaxAckDelay()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0);
        tracker.OnAckSent();
        Receive(tracker, false, 1, 2);
        long now = _clock.GetTimestamp();

        tracker.OnFrameReceived(3, true, now);

        Assert.False(tracker.ShouldSendAck(now));
        Assert.Equal(NanosecondTimeProvider.After(now, TimeSpan.FromMilliseconds(25)), tracker.GetAckDeadline());
    }

    [Fact]
    public void ShouldSendAck_FirstFrameIsNotSequenceZero_Immediately()
    {
        AckTracker tracker = Create();
        long now = _clock.GetTimestamp();

        tracker.OnFrameReceived(3, true, now);

        Assert.True(tracker.ShouldSendAck(now));
    }

    [Fact]
    public void ShouldSendAck_OnlyNonAckElicitingFrames_Never()
    {
        AckTracker tracker = Create();
        Receive(tracker, false, 0, 1, 5, 3);

        Assert.Equal(long.MaxValue, tracker.GetAckDeadline());
        Assert.False(tracker.ShouldSendAck(_clock.AdvanceMilliseconds(1_000)));
        Assert.Equal(3, tracker.RangeCount);
    }

    [Fact]
    public void OnAckSent_ResetsThePolicyButKeepsTheRanges()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 1, 3);

        tracker.OnAckSent();

        Assert.False(tracker.ShouldSendAck(_clock.AdvanceMilliseconds(100)));
        Assert.Equal(long.MaxValue, tracker.GetAckDeadline());
        Assert.Equal([R(3, 3), R(0, 1)], Ranges(tracker));

        long now = _clock.GetTimestamp();
        tracker.OnFrameReceived(4, true, now);
        Assert.Equal(NanosecondTimeProvider.After(now, TimeSpan.FromMilliseconds(25)), tracker.GetAckDeadline());
    }

    [Fact]
    public void OnAckAcknowledged_DropsRangesAtOrBelowTheAcknowledgedLargest()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 1, 2, 3, 4, 6, 7, 8, 9);
        tracker.OnAckSent();

        tracker.OnAckAcknowledged(7);

        Assert.Equal([R(8, 9)], Ranges(tracker));
        Assert.Equal(8UL, tracker.AcknowledgementFloor);

        Receive(tracker, true, 5);
        Assert.Equal([R(8, 9)], Ranges(tracker));
        Assert.Equal(0, tracker.PendingAckElicitingCount);

        Receive(tracker, true, 10);
        Assert.Equal([R(8, 10)], Ranges(tracker));
    }

    [Fact]
    public void OnAckAcknowledged_Everything_NothingLeftToAcknowledge()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 1, 2);

        tracker.OnAckAcknowledged(2);

        Assert.Equal(0, tracker.RangeCount);
        Assert.Equal(0, tracker.WriteAckRanges(new SequenceRange[4], _clock.GetTimestamp(), out _, out _));
        Assert.False(tracker.ShouldSendAck(_clock.AdvanceMilliseconds(100)));
        Assert.Equal(2UL, tracker.LargestReceived);
    }

    [Fact]
    public void OnAckAcknowledged_OlderThanFloor_Ignored()
    {
        AckTracker tracker = Create();
        Receive(tracker, true, 0, 1, 2, 3, 4, 5);
        tracker.OnAckAcknowledged(3);

        tracker.OnAckAcknowledged(1);

        Assert.Equal([R(4, 5)], Ranges(tracker));
        Assert.Equal(4UL, tracker.AcknowledgementFloor);
    }

    [Fact]
    public void OnAckAcknowledged_SequenceNeverReceived_Throws()
    {
        AckTracker tracker = Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.OnAckAcknowledged(0));

        Receive(tracker, true, 0, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.OnAckAcknowledged(2));
    }
}

using Stt.Protocol.Recovery;
using Stt.Protocol.Recovery.Congestion;
using Xunit;

namespace Stt.Protocol.Tests.Recovery.Congestion;

public sealed class NewRenoCongestionControllerTests
{
    private const int Mds = 1200;

    // 1 tick = 1 µs, so that test timestamps read as microseconds.
    private static readonly FixedFrequencyTimeProvider Clock = new(1_000_000);

    private static NewRenoCongestionController Create(CongestionOptions? options = null) => new(options ?? CongestionOptions.Default, Clock);

    private static void SendPackets(NewRenoCongestionController controller, long at, int count)
    {
        for (int i = 0; i < count; i++)
        {
            controller.OnPacketSent(at, Mds, ackEliciting: true);
        }
    }

    private static void AckPackets(NewRenoCongestionController controller, long sentAt, int count, long now)
    {
        for (int i = 0; i < count; i++)
        {
            controller.OnPacketAcked(sentAt, Mds, now);
        }
    }

    // Sends a full window at `at` and acknowledges all of it one RTT later; returns the time of the acknowledgements.
    private static long RoundTrip(NewRenoCongestionController controller, long at, long rtt = 20_000)
    {
        int packets = (int)(controller.CongestionWindow / Mds);
        SendPackets(controller, at, packets);
        AckPackets(controller, at, packets, at + rtt);
        return at + rtt;
    }

    // Enters recovery with a loss detected at `now` and leaves it by acknowledging one frame sent after `now`.
    private static long EnterAndLeaveRecovery(NewRenoCongestionController controller, long now)
    {
        SendPackets(controller, now - 1, 1);
        controller.OnPacketsLost(now - 1, Mds, now);
        SendPackets(controller, now + 1, 1);
        controller.OnPacketAcked(now + 1, Mds, now + 2);
        return now + 2;
    }

    [Fact]
    public void Constructor_Defaults_SlowStartWithInitialWindow()
    {
        NewRenoCongestionController controller = Create();

        Assert.Equal(12_000, controller.CongestionWindow);
        Assert.Equal(0, controller.BytesInFlight);
        Assert.Equal(long.MaxValue, controller.SlowStartThreshold);
        Assert.True(controller.InSlowStart);
        Assert.False(controller.InRecovery);
        Assert.False(controller.IsAppLimited);
    }

    [Fact]
    public void Constructor_MinimumAboveInitial_Throws()
    {
        CongestionOptions options = new() { InitialWindowPackets = 2, MinimumWindowPackets = 3 };

        Assert.Throws<ArgumentException>(() => new NewRenoCongestionController(options, Clock));
    }

    [Fact]
    public void OnPacketAcked_SlowStartWithEveryFrameAcknowledged_DoublesPerRtt()
    {
        NewRenoCongestionController controller = Create();
        long now = 1_000;

        for (int round = 1; round <= 5; round++)
        {
            now = RoundTrip(controller, now);
            Assert.Equal(12_000L << round, controller.CongestionWindow);
            Assert.Equal(0, controller.BytesInFlight);
        }

        Assert.True(controller.InSlowStart);
    }

    [Fact]
    public void OnPacketSent_NotAckEliciting_NotInFlight()
    {
        NewRenoCongestionController controller = Create();

        controller.OnPacketSent(1, 50, ackEliciting: false);
        controller.OnPacketSent(1, 300, ackEliciting: true);

        Assert.Equal(300, controller.BytesInFlight);
    }

    [Fact]
    public void CanSend_ExactBoundaries_AllowsUpToTheWindowAndNotOneByteMore()
    {
        NewRenoCongestionController controller = Create();
        Assert.True(controller.CanSend(12_000));
        Assert.False(controller.CanSend(12_001));

        SendPackets(controller, 1, 9);

        Assert.True(controller.CanSend(Mds));
        Assert.False(controller.CanSend(Mds + 1));
        Assert.Equal(Mds, controller.AvailableWindow);

        SendPackets(controller, 1, 1);

        Assert.True(controller.CanSend(0));
        Assert.False(controller.CanSend(1));
        Assert.Equal(0, controller.AvailableWindow);

        controller.OnPacketAcked(1, Mds, 2);

        Assert.True(controller.CanSend(2 * Mds));
        Assert.False(controller.CanSend((2 * Mds) + 1));
    }

    [Fact]
    public void OnPacketsLost_SeveralLossesInOneRound_ReducesOnce()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 100, 10);

        controller.OnPacketsLost(100, Mds, 5_000);
        controller.OnPacketsLost(100, 2 * Mds, 5_000);
        controller.OnPacketsLost(100, Mds, 6_000);

        Assert.Equal(6_000, controller.CongestionWindow);
        Assert.Equal(6_000, controller.SlowStartThreshold);
        Assert.Equal(6 * Mds, controller.BytesInFlight);
        Assert.True(controller.InRecovery);
        Assert.False(controller.InSlowStart);
    }

    [Fact]
    public void OnPacketsLost_SentBeforeRecoveryStart_OnlyLeavesTheFlight()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 100, 5);
        SendPackets(controller, 4_000, 5);
        controller.OnPacketsLost(100, Mds, 5_000);

        controller.OnPacketsLost(4_000, Mds, 9_000);
        controller.OnPacketsLost(5_000, Mds, 9_000);

        Assert.Equal(6_000, controller.CongestionWindow);
        Assert.Equal(7 * Mds, controller.BytesInFlight);
    }

    [Fact]
    public void OnPacketsLost_SentAfterRecoveryStart_StartsANewRecoveryPeriod()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 100, 2);
        controller.OnPacketsLost(100, Mds, 5_000);
        SendPackets(controller, 5_001, 1);

        controller.OnPacketsLost(5_001, Mds, 30_000);

        Assert.Equal(3_000, controller.CongestionWindow);
        Assert.Equal(3_000, controller.SlowStartThreshold);
    }

    [Fact]
    public void OnPacketAcked_SentBeforeRecoveryStart_NoGrowthAndStillInRecovery()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 100, 10);
        controller.OnPacketsLost(100, Mds, 5_000);

        AckPackets(controller, 100, 9, 6_000);

        Assert.Equal(6_000, controller.CongestionWindow);
        Assert.True(controller.InRecovery);
        Assert.Equal(0, controller.BytesInFlight);
    }

    [Fact]
    public void OnPacketAcked_SentAfterRecoveryStart_EndsRecoveryAndGrowsInAvoidance()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 100, 1);
        controller.OnPacketsLost(100, Mds, 5_000);
        SendPackets(controller, 5_001, 1);

        controller.OnPacketAcked(5_001, Mds, 25_000);

        Assert.False(controller.InRecovery);
        Assert.Equal(6_000 + (Mds * Mds / 6_000), controller.CongestionWindow);
    }

    [Fact]
    public void OnPacketAcked_CongestionAvoidance_GrowsAboutOneDatagramPerRtt()
    {
        NewRenoCongestionController controller = Create(CongestionOptions.Default with { InitialWindowPackets = 40 });
        long now = EnterAndLeaveRecovery(controller, 10_000);
        long start = controller.CongestionWindow;
        Assert.False(controller.InSlowStart);

        for (int round = 1; round <= 10; round++)
        {
            long before = controller.CongestionWindow;
            now = RoundTrip(controller, now);
            long growth = controller.CongestionWindow - before;
            Assert.InRange(growth, Mds * 9 / 10, Mds);
        }

        Assert.InRange(controller.CongestionWindow - start, 10 * Mds * 9 / 10, 10 * Mds);
    }

    [Fact]
    public void OnPacketAcked_CongestionAvoidanceWithHugeWindow_CarriesFractionsInsteadOfTruncating()
    {
        // 1200 × 1200 / 10 MB rounds down to 0 per acknowledgement; the carried remainder must still give one datagram
        // per window of acknowledged bytes.
        NewRenoCongestionController controller = Create(CongestionOptions.Default with { InitialWindowPackets = 1000, MinimumWindowPackets = 2 });
        long now = RoundTrip(controller, 1);
        now = RoundTrip(controller, now);
        now = RoundTrip(controller, now);
        now = EnterAndLeaveRecovery(controller, now + 1);
        long window = controller.CongestionWindow;
        Assert.True(Mds * Mds / window == 0);

        RoundTrip(controller, now);

        Assert.InRange(controller.CongestionWindow - window, Mds - 1, Mds);
    }

    [Fact]
    public void OnPacketsLost_RepeatedRecoveryPeriods_FloorsAtMinimumWindow()
    {
        NewRenoCongestionController controller = Create();
        long now = 1_000;

        for (int i = 0; i < 6; i++)
        {
            now = EnterAndLeaveRecovery(controller, now + 1_000);
        }

        SendPackets(controller, now + 1, 1);
        controller.OnPacketsLost(now + 1, Mds, now + 1_000);

        Assert.Equal(2 * Mds, controller.CongestionWindow);
        Assert.Equal(2 * Mds, controller.SlowStartThreshold);
    }

    [Fact]
    public void OnPersistentCongestion_AfterLoss_CollapsesToMinimumWindowAndEndsRecovery()
    {
        NewRenoCongestionController controller = Create();
        long now = RoundTrip(controller, 1);
        SendPackets(controller, now, 4);
        controller.OnPacketsLost(now, 4 * Mds, now + 1_000_000);

        controller.OnPersistentCongestion();

        Assert.Equal(2 * Mds, controller.CongestionWindow);
        Assert.Equal(12_000, controller.SlowStartThreshold);
        Assert.False(controller.InRecovery);
        Assert.True(controller.InSlowStart);
    }

    [Fact]
    public void IsPersistentCongestion_SpanAroundThreeProbeTimeouts_TrueOnlyWhenExceeded()
    {
        NewRenoCongestionController controller = Create();
        RttEstimator rtt = new(TestRecoveryOptions.Rfc9002);
        Assert.False(controller.IsPersistentCongestion(0, 100_000_000, rtt));

        rtt.AddSample(TimeSpan.FromMilliseconds(100), TimeSpan.Zero);

        // PTO = 100 ms + 4 × 50 ms + 25 ms = 325 ms; three of them: 975 ms = 975,000 µs.
        Assert.Equal(TimeSpan.FromMilliseconds(325), rtt.ProbeTimeout);
        Assert.False(controller.IsPersistentCongestion(1_000, 976_000, rtt));
        Assert.True(controller.IsPersistentCongestion(1_000, 976_001, rtt));
        Assert.False(controller.IsPersistentCongestion(976_001, 1_000, rtt));
    }

    [Fact]
    public void SetAppLimited_WhileAppLimited_AcknowledgementsDoNotGrowTheWindow()
    {
        NewRenoCongestionController controller = Create();
        controller.SetAppLimited(true);

        long now = RoundTrip(controller, 1);

        Assert.Equal(12_000, controller.CongestionWindow);
        Assert.Equal(0, controller.BytesInFlight);
        Assert.True(controller.IsAppLimited);

        controller.SetAppLimited(false);
        RoundTrip(controller, now);

        Assert.Equal(24_000, controller.CongestionWindow);
    }

    [Fact]
    public void OnPacketDiscarded_InFlightBytes_LeaveWithoutCongestionSignal()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 1, 3);

        controller.OnPacketDiscarded(2 * Mds);

        Assert.Equal(Mds, controller.BytesInFlight);
        Assert.Equal(12_000, controller.CongestionWindow);
        Assert.False(controller.InRecovery);
    }

    [Fact]
    public void OnPacketAcked_MoreBytesThanInFlight_Throws()
    {
        NewRenoCongestionController controller = Create();
        SendPackets(controller, 1, 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => controller.OnPacketAcked(1, Mds + 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => controller.OnPacketsLost(1, Mds + 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => controller.OnPacketDiscarded(Mds + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => controller.CanSend(-1));
        Assert.Equal(Mds, controller.BytesInFlight);
    }
}

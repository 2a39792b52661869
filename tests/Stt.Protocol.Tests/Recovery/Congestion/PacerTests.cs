using Stt.Protocol.Recovery.Congestion;
using Xunit;

namespace Stt.Protocol.Tests.Recovery.Congestion;

public sealed class PacerTests
{
    private const int Mds = 1200;

    // Deliberately neither TimeSpan ticks nor a power of ten: 100 ms is 100,000.3 ticks.
    private const long OddFrequency = 1_000_003;

    private static readonly FixedFrequencyTimeProvider Odd = new(OddFrequency);
    private static readonly FixedFrequencyTimeProvider Nanoseconds = new(1_000_000_000);

    private static long SendBurst(Pacer pacer, long now, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(now, pacer.GetNextSendTimestamp(now, Mds));
            pacer.OnPacketSent(now, Mds);
        }

        return now;
    }

    [Fact]
    public void GetNextSendTimestamp_FullBucket_AllowsExactlyBurstPacketsAtOnce()
    {
        Pacer pacer = new(CongestionOptions.Default, Nanoseconds);
        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));
        long now = 5_000;

        SendBurst(pacer, now, CongestionOptions.Default.PacingBurstPackets);

        // 1200 bytes at 1.25 × 12,000 B / 100 ms = 150,000 B/s: 8 ms.
        Assert.Equal(now + 8_000_000, pacer.GetNextSendTimestamp(now, Mds));
        Assert.Equal(12_000, pacer.BurstBytes);
    }

    [Fact]
    public void GetNextSendTimestamp_AfterBurst_SpacesPacketsByBytesOverRateExactly()
    {
        Pacer pacer = new(CongestionOptions.Default, Odd);
        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));
        long start = SendBurst(pacer, 77, 10);

        // 100 ms rounds up to 100,001 ticks; 1200 bytes take 1200 × 100,001 / (1.25 × 12,000) = 8,000.08 ticks, so the
        // k-th packet goes at ceil(k × 8,000.08) with the fraction carried, never accumulated as rounding error.
        long now = start;
        for (long k = 1; k <= 1_000; k++)
        {
            long next = pacer.GetNextSendTimestamp(now, Mds);
            Assert.Equal(start + (((k * 200_002) + 24) / 25), next);
            Assert.Equal(next, pacer.GetNextSendTimestamp(next, Mds));
            pacer.OnPacketSent(next, Mds);
            now = next;
        }
    }

    [Fact]
    public void GetNextSendTimestamp_BeforeAnyRttSample_UsesInitialWindowOver333Milliseconds()
    {
        Pacer pacer = new(CongestionOptions.Default, Nanoseconds);

        Assert.Equal(45_045, pacer.BytesPerSecond);

        long now = SendBurst(pacer, 0, 10);
        Assert.Equal(26_640_000, pacer.GetNextSendTimestamp(now, Mds));
    }

    [Fact]
    public void Update_CongestionWindowAndRtt_RateFollows()
    {
        Pacer pacer = new(CongestionOptions.Default, Nanoseconds);

        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));
        Assert.Equal(150_000, pacer.BytesPerSecond);

        pacer.Update(24_000, TimeSpan.FromMilliseconds(100));
        Assert.Equal(300_000, pacer.BytesPerSecond);
        long now = SendBurst(pacer, 1_000, 10);
        Assert.Equal(now + 4_000_000, pacer.GetNextSendTimestamp(now, Mds));

        pacer.Update(24_000, TimeSpan.FromMilliseconds(50));
        Assert.Equal(600_000, pacer.BytesPerSecond);
        Assert.Equal(now + 2_000_000, pacer.GetNextSendTimestamp(now, Mds));
    }

    [Fact]
    public void Update_RttBelowOneMillisecond_CountsAsOneMillisecond()
    {
        Pacer pacer = new(CongestionOptions.Default, Nanoseconds);

        pacer.Update(24_000, TimeSpan.FromMicroseconds(100));

        Assert.Equal(30_000_000, pacer.BytesPerSecond);
    }

    [Fact]
    public void Update_RttChange_KeepsTheBytesInTheBucket()
    {
        Pacer pacer = new(CongestionOptions.Default, Odd);
        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));
        long now = SendBurst(pacer, 1, 5);

        pacer.Update(12_000, TimeSpan.FromMilliseconds(37));

        SendBurst(pacer, now, 5);
        Assert.True(pacer.GetNextSendTimestamp(now, Mds) > now);
    }

    [Fact]
    public void GetNextSendTimestamp_HundredThousandPackets_TotalTimeWithinPointOnePercentOfBytesOverRate()
    {
        Pacer pacer = new(CongestionOptions.Default, Odd);
        pacer.Update(120_000, TimeSpan.FromMilliseconds(30));
        const int Packets = 100_000;
        long start = SendBurst(pacer, 1_000, 10);

        long now = start;
        for (int i = 10; i < Packets; i++)
        {
            now = pacer.GetNextSendTimestamp(now, Mds);
            pacer.OnPacketSent(now, Mds);
        }

        // 1.25 × 120,000 B / 30 ms = 5,000,000 B/s; the first burst is free.
        double expectedSeconds = (Packets - 10) * (double)Mds / 5_000_000;
        double actualSeconds = (now - start) / (double)OddFrequency;
        Assert.InRange(actualSeconds / expectedSeconds, 0.999, 1.001);
    }

    [Fact]
    public void GetNextSendTimestamp_AfterLongIdle_RefillsOnlyToOneBurst()
    {
        Pacer pacer = new(CongestionOptions.Default, Nanoseconds);
        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));
        long now = SendBurst(pacer, 0, 10);

        now += 3_600_000_000_000;
        SendBurst(pacer, now, 10);

        Assert.Equal(now + 8_000_000, pacer.GetNextSendTimestamp(now, Mds));
    }

    [Fact]
    public void OnPacketSent_BeyondTheBucket_DebtIsAtMostOneBucket()
    {
        Pacer pacer = new(CongestionOptions.Default, Nanoseconds);
        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));

        for (int i = 0; i < 100; i++)
        {
            pacer.OnPacketSent(0, Mds);
        }

        // A bucket of debt (80 ms) plus the packet itself (8 ms).
        Assert.Equal(88_000_000, pacer.GetNextSendTimestamp(0, Mds));
    }

    [Fact]
    public void GetNextSendTimestamp_PacingDisabled_AlwaysNow()
    {
        Pacer pacer = new(CongestionOptions.Default with { EnablePacing = false }, Nanoseconds);

        for (int i = 0; i < 1_000; i++)
        {
            Assert.Equal(42, pacer.GetNextSendTimestamp(42, Mds));
            pacer.OnPacketSent(42, Mds);
        }
    }

    [Fact]
    public void GetNextSendTimestamp_FrameLargerThanBurst_WaitsOnlyForAFullBucket()
    {
        Pacer pacer = new(CongestionOptions.Default with { PacingBurstPackets = 1 }, Nanoseconds);
        pacer.Update(12_000, TimeSpan.FromMilliseconds(100));

        Assert.Equal(7, pacer.GetNextSendTimestamp(7, 5 * Mds));
    }
}

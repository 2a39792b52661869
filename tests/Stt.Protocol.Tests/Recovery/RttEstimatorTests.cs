using Stt.Protocol.Recovery;
using Xunit;

namespace Stt.Protocol.Tests.Recovery;

public sealed class RttEstimatorTests
{
    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void Constructor_NoSample_UsesInitialRtt()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);

        Assert.False(rtt.HasSample);
        Assert.Equal(TimeSpan.Zero, rtt.LatestRtt);
        Assert.Equal(TimeSpan.Zero, rtt.MinRtt);
        Assert.Equal(Ms(333), rtt.SmoothedRtt);
        Assert.Equal(Ms(166.5), rtt.RttVariation);
        Assert.Equal(Ms(333 + 666 + 25), rtt.ProbeTimeout);
        Assert.Equal(Ms(333 * 1.125), rtt.LossDelay);
    }

    [Fact]
    public void Constructor_ConfiguredInitialRtt_UsesIt()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002 with { InitialRtt = Ms(100) });

        Assert.Equal(Ms(100), rtt.SmoothedRtt);
        Assert.Equal(Ms(50), rtt.RttVariation);
    }

    [Fact]
    public void AddSample_First_SetsSmoothedToLatestAndVariationToHalfIgnoringAckDelay()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);

        rtt.AddSample(Ms(100), ackDelay: Ms(10));

        Assert.True(rtt.HasSample);
        Assert.Equal(Ms(100), rtt.LatestRtt);
        Assert.Equal(Ms(100), rtt.MinRtt);
        Assert.Equal(Ms(100), rtt.SmoothedRtt);
        Assert.Equal(Ms(50), rtt.RttVariation);
    }

    [Fact]
    public void AddSample_Second_SubtractsAckDelayAndWeighs()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);
        rtt.AddSample(Ms(100), TimeSpan.Zero);

        rtt.AddSample(Ms(200), ackDelay: Ms(20));

        // adjusted = 200 - 20 = 180; rttvar = 3/4 * 50 + 1/4 * |100 - 180| = 57.5; srtt = 7/8 * 100 + 1/8 * 180 = 110.
        Assert.Equal(Ms(200), rtt.LatestRtt);
        Assert.Equal(Ms(100), rtt.MinRtt);
        Assert.Equal(Ms(57.5), rtt.RttVariation);
        Assert.Equal(Ms(110), rtt.SmoothedRtt);
    }

    [Fact]
    public void AddSample_AckDelayAboveMaxAckDelay_IsCappedAtMaxAckDelay()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);
        rtt.AddSample(Ms(100), TimeSpan.Zero);

        rtt.AddSample(Ms(200), ackDelay: Ms(100));

        // ack delay capped at 25: adjusted = 175; rttvar = 37.5 + 18.75 = 56.25; srtt = 87.5 + 21.875 = 109.375.
        Assert.Equal(Ms(56.25), rtt.RttVariation);
        Assert.Equal(Ms(109.375), rtt.SmoothedRtt);
    }

    [Fact]
    public void AddSample_AckDelayWouldGoBelowMinRtt_IsNotSubtracted()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);
        rtt.AddSample(Ms(100), TimeSpan.Zero);

        rtt.AddSample(Ms(105), ackDelay: Ms(10));

        // 105 < min 100 + 10, so adjusted = 105: rttvar = 37.5 + 1.25 = 38.75; srtt = 87.5 + 13.125 = 100.625.
        Assert.Equal(Ms(38.75), rtt.RttVariation);
        Assert.Equal(Ms(100.625), rtt.SmoothedRtt);
    }

    [Fact]
    public void AddSample_Smaller_LowersMinRtt()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);
        rtt.AddSample(Ms(100), TimeSpan.Zero);
        rtt.AddSample(Ms(80), TimeSpan.Zero);
        rtt.AddSample(Ms(120), TimeSpan.Zero);

        Assert.Equal(Ms(80), rtt.MinRtt);
        Assert.Equal(Ms(120), rtt.LatestRtt);
    }

    [Fact]
    public void LossDelay_IsNineEighthsOfTheLargerOfSmoothedAndLatest()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);
        rtt.AddSample(Ms(100), TimeSpan.Zero);
        Assert.Equal(Ms(112.5), rtt.LossDelay);

        rtt.AddSample(Ms(180), TimeSpan.Zero);

        // srtt = 110 < latest 180.
        Assert.Equal(Ms(202.5), rtt.LossDelay);
    }

    [Fact]
    public void LossDelay_TinyRtt_IsTimerGranularity()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);

        rtt.AddSample(Ms(0.5), TimeSpan.Zero);

        Assert.Equal(Ms(1), rtt.LossDelay);
    }

    [Fact]
    public void ProbeTimeout_IsSmoothedPlusFourVariationsPlusMaxAckDelay()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);

        rtt.AddSample(Ms(100), TimeSpan.Zero);

        Assert.Equal(Ms(100 + 200 + 25), rtt.ProbeTimeout);
    }

    [Fact]
    public void ProbeTimeout_TinyVariation_UsesTimerGranularity()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);

        rtt.AddSample(Ms(0.1), TimeSpan.Zero);

        Assert.Equal(Ms(0.1 + 1 + 25), rtt.ProbeTimeout);
    }

    [Fact]
    public void AddSample_NegativeArguments_Throw()
    {
        var rtt = new RttEstimator(TestRecoveryOptions.Rfc9002);

        Assert.Throws<ArgumentOutOfRangeException>(() => rtt.AddSample(TimeSpan.FromTicks(-1), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => rtt.AddSample(Ms(10), TimeSpan.FromTicks(-1)));
        Assert.False(rtt.HasSample);
    }
}

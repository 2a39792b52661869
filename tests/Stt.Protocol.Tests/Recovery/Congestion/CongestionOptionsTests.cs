using Stt.Protocol.Recovery.Congestion;
using Xunit;

namespace Stt.Protocol.Tests.Recovery.Congestion;

public sealed class CongestionOptionsTests
{
    [Fact]
    public void Default_Values_MatchRfc9002AndTheBrief()
    {
        CongestionOptions options = CongestionOptions.Default;

        Assert.Equal(1200, options.MaxDatagramSize);
        Assert.Equal(10, options.InitialWindowPackets);
        Assert.Equal(2, options.MinimumWindowPackets);
        Assert.Equal(0.5, options.LossReductionFactor);
        Assert.Equal(3, options.PersistentCongestionThreshold);
        Assert.Equal(1.25, options.PacingGain);
        Assert.Equal(10, options.PacingBurstPackets);
        Assert.True(options.EnablePacing);
        Assert.Equal(12_000, options.InitialWindow);
        Assert.Equal(2_400, options.MinimumWindow);
    }

    [Fact]
    public void Init_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { MaxDatagramSize = 63 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { MaxDatagramSize = 65_536 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { InitialWindowPackets = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { MinimumWindowPackets = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { LossReductionFactor = 1.0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { PersistentCongestionThreshold = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { PacingGain = 0.9 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionOptions { PacingBurstPackets = 0 });
    }

    [Fact]
    public void With_FrameSize_ScalesTheWindows()
    {
        CongestionOptions options = CongestionOptions.Default with { MaxDatagramSize = 1400 };

        Assert.Equal(14_000, options.InitialWindow);
        Assert.Equal(2_800, options.MinimumWindow);
    }
}

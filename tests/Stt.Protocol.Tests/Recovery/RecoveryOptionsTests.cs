using Stt.Protocol.Recovery;
using Xunit;

namespace Stt.Protocol.Tests.Recovery;

public sealed class RecoveryOptionsTests
{
    [Fact]
    public void Default_HasDocumentedValues()
    {
        RecoveryOptions options = RecoveryOptions.Default;

        Assert.Equal(TimeSpan.FromMilliseconds(333), options.InitialRtt);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.MaxAckDelay);
        Assert.Equal(2, options.AckElicitingThreshold);
        Assert.Equal(3, options.PacketThreshold);
        Assert.Equal(1.125, options.TimeThresholdFactor);
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.TimerGranularity);
        Assert.Equal(64, options.MaxAckRanges);
        Assert.Equal(10, options.MaxConsecutivePtos);
        Assert.Equal(16_384, options.MaxTrackedFrames);
    }

    [Fact]
    public void With_ChangesOnlyTheNamedSetting()
    {
        RecoveryOptions options = RecoveryOptions.Default with { PacketThreshold = 5 };

        Assert.Equal(5, options.PacketThreshold);
        Assert.Equal(RecoveryOptions.Default with { PacketThreshold = 5 }, options);
        Assert.Equal(3, RecoveryOptions.Default.PacketThreshold);
    }

    [Fact]
    public void Init_OutOfRangeValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { InitialRtt = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { MaxAckDelay = TimeSpan.FromTicks(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { MaxAckDelay = TimeSpan.FromMilliseconds(16_385) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { AckElicitingThreshold = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { PacketThreshold = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { TimeThresholdFactor = 0.99 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { TimeThresholdFactor = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { TimerGranularity = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { MaxAckRanges = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { MaxAckRanges = 65 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { MaxConsecutivePtos = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryOptions { MaxTrackedFrames = 15 });
    }
}

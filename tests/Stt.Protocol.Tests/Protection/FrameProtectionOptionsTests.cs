using Stt.Protocol.Protection;
using Xunit;

namespace Stt.Protocol.Tests.Protection;

public sealed class FrameProtectionOptionsTests
{
    [Fact]
    public void Default_Values_MatchSpecDefaults()
    {
        FrameProtectionOptions options = FrameProtectionOptions.Default;

        Assert.Equal(1L << 30, options.RotateAfterBytes);
        Assert.Equal(100_000, options.RotateAfterMessages);
        Assert.Equal(TimeSpan.FromHours(1), options.RotateAfter);
        Assert.Equal(TimeSpan.FromSeconds(10), options.KeyGracePeriod);
        Assert.Equal(1_000_000, options.MaxFailedDecryptions);
        Assert.Equal(new FrameProtectionOptions(), options);
    }

    [Fact]
    public void With_ValuesAtLimits_Accepted()
    {
        FrameProtectionOptions options = FrameProtectionOptions.Default with
        {
            RotateAfterBytes = FrameProtectionOptions.RotateAfterBytesLimit,
            RotateAfterMessages = 1,
            RotateAfter = FrameProtectionOptions.RotateAfterLimit,
            KeyGracePeriod = TimeSpan.Zero,
            MaxFailedDecryptions = FrameProtectionOptions.MaxFailedDecryptionsLimit,
        };

        Assert.Equal(16L << 30, options.RotateAfterBytes);
        Assert.Equal(1, options.RotateAfterMessages);
        Assert.Equal(TimeSpan.Zero, options.KeyGracePeriod);
    }

    [Fact]
    public void With_ValuesOutOfRange_Throw()
    {
        FrameProtectionOptions d = FrameProtectionOptions.Default;

        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RotateAfterBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RotateAfterBytes = FrameProtectionOptions.RotateAfterBytesLimit + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RotateAfterMessages = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RotateAfterMessages = FrameProtectionOptions.RotateAfterMessagesLimit + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RotateAfter = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RotateAfter = FrameProtectionOptions.RotateAfterLimit + TimeSpan.FromMilliseconds(1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { KeyGracePeriod = TimeSpan.FromTicks(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { MaxFailedDecryptions = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { MaxFailedDecryptions = FrameProtectionOptions.MaxFailedDecryptionsLimit + 1 });
    }
}

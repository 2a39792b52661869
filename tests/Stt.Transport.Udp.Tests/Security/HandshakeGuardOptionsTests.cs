using Stt.Transport.Udp.Security;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security;

public sealed class HandshakeGuardOptionsTests
{
    [Fact]
    public void Default_Always_HasDocumentedValues()
    {
        HandshakeGuardOptions options = HandshakeGuardOptions.Default;
        Assert.Equal(256, options.RetryThreshold);
        Assert.Equal(4096, options.MaxHalfOpen);
        Assert.Equal(20, options.HandshakesPerSecondPerSource);
        Assert.Equal(40, options.HandshakeBurstPerSource);
        Assert.Equal(65_536, options.RateLimitTableCapacity);
        Assert.Equal(64, options.Ipv6PrefixLength);
        Assert.Equal(TimeSpan.FromSeconds(10), options.TokenBucketLength);
        Assert.Equal(TimeSpan.FromMinutes(10), options.SecretRotationInterval);
    }

    [Fact]
    public void Init_OutOfRange_Throws()
    {
        HandshakeGuardOptions d = HandshakeGuardOptions.Default;
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RetryThreshold = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { MaxHalfOpen = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { HandshakesPerSecondPerSource = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { HandshakeBurstPerSource = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RateLimitTableCapacity = 7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { RateLimitTableCapacity = (1 << 24) + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { Ipv6PrefixLength = 31 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { Ipv6PrefixLength = 129 });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { TokenBucketLength = TimeSpan.FromMilliseconds(999) });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { TokenBucketLength = TimeSpan.FromSeconds(1.0001) });
        Assert.Throws<ArgumentOutOfRangeException>(() => d with { SecretRotationInterval = TimeSpan.FromSeconds(1) });
    }
}

using Microsoft.Extensions.Time.Testing;
using Stt.Transport.Udp.Security;
using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security.Internal;

public sealed class SourceRateLimiterTests
{
    private readonly FakeTimeProvider _time = SecurityTestData.Clock();

    private SourceRateLimiter Limiter(HandshakeGuardOptions? options = null) => new(options ?? HandshakeGuardOptions.Default, _time);

    private static int Drain(SourceRateLimiter limiter, byte[] address)
    {
        int granted = 0;
        while (limiter.TryAcquire(address))
        {
            granted++;
        }

        return granted;
    }

    [Fact]
    public void TryAcquire_NewSource_GrantsBurstThenRefuses()
    {
        SourceRateLimiter limiter = Limiter();
        Assert.Equal(40, Drain(limiter, SecurityTestData.Ip("192.0.2.1")));
    }

    [Fact]
    public void TryAcquire_AfterOneInterval_GrantsExactlyOne()
    {
        SourceRateLimiter limiter = Limiter();
        byte[] address = SecurityTestData.Ip("192.0.2.1");
        Drain(limiter, address);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(limiter.TryAcquire(address));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire(address));
        Assert.False(limiter.TryAcquire(address));
    }

    [Fact]
    public void TryAcquire_LongIdle_RefillsToBurstOnly()
    {
        SourceRateLimiter limiter = Limiter();
        byte[] address = SecurityTestData.Ip("192.0.2.1");
        Drain(limiter, address);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(40, Drain(limiter, address));
    }

    [Fact]
    public void TryAcquire_SustainedAtRate_GrantsTwentyPerSecond()
    {
        SourceRateLimiter limiter = Limiter();
        byte[] address = SecurityTestData.Ip("192.0.2.1");
        Drain(limiter, address);
        int granted = 0;
        for (int tick = 0; tick < 1000; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            granted += limiter.TryAcquire(address) ? 1 : 0;
        }

        Assert.Equal(200, granted);
    }

    [Fact]
    public void TryAcquire_SameIpOtherPort_SharesBucket()
    {
        SourceRateLimiter limiter = Limiter();
        for (int port = 1; port <= 40; port++)
        {
            Assert.True(limiter.TryAcquire(SecurityTestData.Source("192.0.2.1", port)));
        }

        Assert.False(limiter.TryAcquire(SecurityTestData.Source("192.0.2.1", 41)));
        Assert.True(limiter.TryAcquire(SecurityTestData.Source("192.0.2.2", 41)));
    }

    [Fact]
    public void TryAcquire_Ipv4AndItsMappedForm_ShareBucket()
    {
        SourceRateLimiter limiter = Limiter();
        Assert.Equal(40, Drain(limiter, SecurityTestData.Ip("192.0.2.1")));
        Assert.False(limiter.TryAcquire(SecurityTestData.Source("::ffff:192.0.2.1", 5)));
    }

    [Fact]
    public void TryAcquire_Ipv6SamePrefix64_SharesBucket()
    {
        SourceRateLimiter limiter = Limiter();
        Assert.Equal(40, Drain(limiter, SecurityTestData.Ip("2001:db8:1:2::1")));
        Assert.False(limiter.TryAcquire(SecurityTestData.Ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.True(limiter.TryAcquire(SecurityTestData.Ip("2001:db8:1:3::1")));
    }

    [Fact]
    public void TryAcquire_Ipv6Prefix128_EachAddressOwnBucket()
    {
        SourceRateLimiter limiter = Limiter(HandshakeGuardOptions.Default with { Ipv6PrefixLength = 128 });
        Assert.Equal(40, Drain(limiter, SecurityTestData.Ip("2001:db8::1")));
        Assert.True(limiter.TryAcquire(SecurityTestData.Ip("2001:db8::2")));
    }

    [Fact]
    public void TryAcquire_Ipv6Prefix48_SharesAcrossSubnets()
    {
        SourceRateLimiter limiter = Limiter(HandshakeGuardOptions.Default with { Ipv6PrefixLength = 48 });
        Assert.Equal(40, Drain(limiter, SecurityTestData.Ip("2001:db8:1:2::1")));
        Assert.False(limiter.TryAcquire(SecurityTestData.Ip("2001:db8:1:ffff::1")));
        Assert.True(limiter.TryAcquire(SecurityTestData.Ip("2001:db8:2::1")));
    }

    [Fact]
    public void TryAcquire_UnixDomainSource_Refuses()
    {
        Assert.False(Limiter().TryAcquire(new System.Net.Sockets.UnixDomainSocketEndPoint("/tmp/x").Serialize()));
    }

    [Fact]
    public void TryAcquire_MillionSpoofedSources_TableStaysAtCapacity()
    {
        SourceRateLimiter limiter = Limiter();
        Span<byte> address = stackalloc byte[4];
        for (uint i = 0; i < 1_000_000; i++)
        {
            SecurityTestData.SpoofedIpv4(i, address);
            Assert.True(limiter.TryAcquire(address));
        }

        Assert.Equal(65_536, limiter.Capacity);
        Assert.Equal(limiter.Capacity, limiter.Count);
    }

    [Fact]
    public void TryAcquire_FloodOfSpoofedSources_LimitsRealSourceOnceItIsRemembered()
    {
        SourceRateLimiter limiter = Limiter(HandshakeGuardOptions.Default with { RateLimitTableCapacity = 8 });
        byte[] real = SecurityTestData.Ip("192.0.2.1");
        Assert.Equal(40, Drain(limiter, real));
        Span<byte> address = stackalloc byte[4];
        for (uint i = 0; i < 100; i++)
        {
            SecurityTestData.SpoofedIpv4(i, address);
            limiter.TryAcquire(address);
        }

        Assert.False(limiter.TryAcquire(real));
        Assert.Equal(8, limiter.Count);
    }

    [Fact]
    public void TryAcquire_CapacityNotPowerOfTwo_RoundsUp()
    {
        Assert.Equal(1024, Limiter(HandshakeGuardOptions.Default with { RateLimitTableCapacity = 1000 }).Capacity);
    }

    [Fact]
    public void TryAcquire_ConcurrentCallersOneSource_GrantExactlyBurst()
    {
        SourceRateLimiter limiter = Limiter();
        byte[] address = SecurityTestData.Ip("192.0.2.1");
        int granted = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (limiter.TryAcquire(address))
            {
                Interlocked.Increment(ref granted);
            }
        });
        Assert.Equal(40, granted);
    }

    [Fact]
    public void TryAcquire_Repeated_AllocatesNothing()
    {
        SourceRateLimiter limiter = Limiter();
        byte[] address = new byte[4];
        // A first pass fills the table and lets the JIT finish tiering the loop (on-stack replacement allocates).
        for (uint i = 0; i < 10_000; i++)
        {
            SecurityTestData.SpoofedIpv4(i, address);
            limiter.TryAcquire(address);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (uint i = 0; i < 10_000; i++)
        {
            SecurityTestData.SpoofedIpv4(i, address);
            limiter.TryAcquire(address);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

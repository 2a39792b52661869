using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Transport.Udp.Security;
using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security.Internal;

public sealed class HandshakeGuardTests
{
    private const ulong HandshakeId = 0x0102_0304_0506_0708;
    private const int Threshold = 256;
    private const int MaxHalfOpen = 4096;

    private readonly FakeTimeProvider _time = SecurityTestData.Clock();
    private readonly HandshakeGuard _guard;
    private readonly SocketAddress _client = SecurityTestData.Source("192.0.2.1", 40_000);
    private readonly byte[] _retry = new byte[64];

    public HandshakeGuardTests() => _guard = new HandshakeGuard(HandshakeGuardOptions.Default, _time);

    private HandshakeAdmission Admit(SocketAddress source, byte[] datagram, int halfOpen, out Range hello) =>
        _guard.Admit(source, datagram, halfOpen, _retry, out _, out hello);

    private byte[] GetCookieHello(byte[] hello, SocketAddress? source = null)
    {
        Assert.Equal(
            HandshakeAdmission.SendRetry,
            _guard.Admit(source ?? _client, hello, Threshold, _retry, out int retryLength, out _));
        ulong handshakeId = BinaryPrimitives.ReadUInt64BigEndian(hello.AsSpan(2));
        Assert.True(RetryFrames.TryReadRetry(_retry.AsSpan(0, retryLength), handshakeId, out ReadOnlySpan<byte> token));
        byte[] wrapped = new byte[hello.Length + RetryFrames.CookieHelloOverhead];
        RetryFrames.WrapHello(hello, token, wrapped);
        return wrapped;
    }

    [Fact]
    public void Admit_HelloBelowThreshold_AdmitsWholeDatagram()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        HandshakeAdmission result = _guard.Admit(_client, hello, Threshold - 1, _retry, out int retryLength, out Range range);
        Assert.Equal(HandshakeAdmission.Admit, result);
        Assert.Equal(0, retryLength);
        Assert.Equal((0, hello.Length), range.GetOffsetAndLength(hello.Length));
    }

    [Fact]
    public void Admit_KnownSecretAndTime_MatchesProtocolDocumentExample()
    {
        var guard = new HandshakeGuard(HandshakeGuardOptions.Default, _time, new SecurityTestData.FixedRandomSource(0x11));
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        Assert.Equal(HandshakeAdmission.SendRetry, guard.Admit(_client, hello, Threshold, _retry, out int retryLength, out _));
        Assert.Equal(ProtocolDocumentExample.Retry, Convert.ToHexString(_retry, 0, retryLength));

        Assert.True(RetryFrames.TryReadRetry(_retry.AsSpan(0, retryLength), HandshakeId, out ReadOnlySpan<byte> token));
        byte[] wrapped = new byte[1200];
        RetryFrames.WrapHello(hello, token, wrapped);
        Assert.Equal(ProtocolDocumentExample.CookieHelloPrefix, Convert.ToHexString(wrapped, 0, 44));
        Assert.Equal(HandshakeAdmission.Admit, guard.Admit(_client, wrapped, Threshold, _retry, out _, out _));
    }

    [Fact]
    public void Admit_HelloAtThreshold_WritesRetryForItsHandshakeId()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        HandshakeAdmission result = _guard.Admit(_client, hello, Threshold, _retry, out int retryLength, out Range range);
        Assert.Equal(HandshakeAdmission.SendRetry, result);
        Assert.Equal(44, retryLength);
        Assert.Equal(default, range);
        Assert.True(RetryFrames.TryReadRetry(_retry.AsSpan(0, retryLength), HandshakeId, out _));
    }

    [Theory]
    [InlineData(RetryFrames.MinHelloLength)]
    [InlineData(1156)]
    [InlineData(1200)]
    public void Admit_SendRetry_RetryNeverLargerThanHello(int helloLength)
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId, helloLength);
        Assert.Equal(HandshakeAdmission.SendRetry, _guard.Admit(_client, hello, Threshold, _retry, out int retryLength, out _));
        Assert.True(retryLength <= helloLength);
    }

    [Fact]
    public void Admit_RetryThresholdZero_RetriesEveryPlainHello()
    {
        var guard = new HandshakeGuard(HandshakeGuardOptions.Default with { RetryThreshold = 0 }, _time);
        Assert.Equal(
            HandshakeAdmission.SendRetry,
            guard.Admit(_client, SecurityTestData.Hello(HandshakeId), 0, _retry, out _, out _));
    }

    [Fact]
    public void Admit_CookieHelloWithValidToken_AdmitsInnerHelloAboveThreshold()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        byte[] wrapped = GetCookieHello(hello);
        Assert.Equal(HandshakeAdmission.Admit, Admit(_client, wrapped, MaxHalfOpen - 1, out Range inner));
        Assert.Equal(hello, wrapped[inner]);
    }

    [Fact]
    public void Admit_CookieHelloWithValidTokenBelowThreshold_AdmitsInnerHello()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        byte[] wrapped = GetCookieHello(hello);
        Assert.Equal(HandshakeAdmission.Admit, Admit(_client, wrapped, 0, out Range inner));
        Assert.Equal(hello, wrapped[inner]);
    }

    [Fact]
    public void Admit_CookieHelloAtMaxHalfOpen_DropsHalfOpenFull()
    {
        byte[] wrapped = GetCookieHello(SecurityTestData.Hello(HandshakeId));
        Assert.Equal(HandshakeAdmission.DropHalfOpenFull, Admit(_client, wrapped, MaxHalfOpen, out Range inner));
        Assert.Equal(default, inner);
    }

    [Fact]
    public void Admit_PlainHelloAtMaxHalfOpen_DropsHalfOpenFullWithoutRetry()
    {
        HandshakeAdmission result = _guard.Admit(_client, SecurityTestData.Hello(HandshakeId), MaxHalfOpen, _retry, out int retryLength, out _);
        Assert.Equal(HandshakeAdmission.DropHalfOpenFull, result);
        Assert.Equal(0, retryLength);
    }

    [Theory]
    [InlineData("192.0.2.1", 40_001)]
    [InlineData("192.0.2.2", 40_000)]
    [InlineData("2001:db8::1", 40_000)]
    public void Admit_CookieHelloFromOtherSource_DropsBadToken(string address, int port)
    {
        byte[] wrapped = GetCookieHello(SecurityTestData.Hello(HandshakeId));
        Assert.Equal(HandshakeAdmission.DropBadToken, Admit(SecurityTestData.Source(address, port), wrapped, Threshold, out _));
    }

    [Fact]
    public void Admit_CookieHelloFromSameSourceOverDualModeSocket_Admits()
    {
        byte[] wrapped = GetCookieHello(SecurityTestData.Hello(HandshakeId));
        Assert.Equal(HandshakeAdmission.Admit, Admit(SecurityTestData.Source("::ffff:192.0.2.1", 40_000), wrapped, Threshold, out _));
    }

    [Fact]
    public void Admit_TokenMovedToOtherHandshake_DropsBadToken()
    {
        byte[] first = GetCookieHello(SecurityTestData.Hello(HandshakeId));
        byte[] other = new byte[first.Length];
        RetryFrames.WrapHello(SecurityTestData.Hello(HandshakeId + 1), first.AsSpan(23, 21), other);
        Assert.Equal(HandshakeAdmission.DropBadToken, Admit(_client, other, Threshold, out _));
    }

    [Fact]
    public void Admit_TokenTwoBucketsOld_DropsBadToken()
    {
        byte[] wrapped = GetCookieHello(SecurityTestData.Hello(HandshakeId));
        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(HandshakeAdmission.Admit, Admit(_client, wrapped, Threshold, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HandshakeAdmission.DropBadToken, Admit(_client, wrapped, Threshold, out _));
    }

    [Fact]
    public void Admit_TokenAfterTwoSecretRotations_DropsBadToken()
    {
        byte[] wrapped = GetCookieHello(SecurityTestData.Hello(HandshakeId));
        _guard.Tokens.RotateSecret();
        Assert.Equal(HandshakeAdmission.Admit, Admit(_client, wrapped, Threshold, out _));
        _guard.Tokens.RotateSecret();
        Assert.Equal(HandshakeAdmission.DropBadToken, Admit(_client, wrapped, Threshold, out _));
    }

    [Fact]
    public void Admit_ForgedToken_DropsBadToken()
    {
        byte[] wrapped = new byte[1156 + 44];
        RetryFrames.WrapHello(SecurityTestData.Hello(HandshakeId), new byte[21], wrapped);
        wrapped[23] = RetryTokenIssuer.FormatVersion;
        Assert.Equal(HandshakeAdmission.DropBadToken, Admit(_client, wrapped, Threshold, out _));
    }

    [Fact]
    public void Admit_BurstExceeded_DropsRateLimitedThenRecovers()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(HandshakeAdmission.Admit, Admit(SecurityTestData.Source("192.0.2.1", 1000 + i), hello, 0, out _));
        }

        Assert.Equal(HandshakeAdmission.DropRateLimited, Admit(_client, hello, 0, out _));
        Assert.Equal(HandshakeAdmission.DropRateLimited, Admit(_client, GetCookieHelloFromOtherGuard(hello), Threshold, out _));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(HandshakeAdmission.Admit, Admit(_client, hello, 0, out _));
    }

    private byte[] GetCookieHelloFromOtherGuard(byte[] hello)
    {
        byte[] wrapped = new byte[hello.Length + 44];
        RetryFrames.WrapHello(hello, new byte[21], wrapped);
        return wrapped;
    }

    [Fact]
    public void Admit_RateLimitedSourceAboveThreshold_SendsNoRetry()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(HandshakeAdmission.SendRetry, Admit(_client, hello, Threshold, out _));
        }

        HandshakeAdmission result = _guard.Admit(_client, hello, Threshold, _retry, out int retryLength, out _);
        Assert.Equal(HandshakeAdmission.DropRateLimited, result);
        Assert.Equal(0, retryLength);
    }

    public static TheoryData<string, byte[]> MalformedDatagrams()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        byte[] response = (byte[])hello.Clone();
        response[1] = 0x04;
        byte[] auth = (byte[])hello.Clone();
        auth[0] = 0x05;
        byte[] retry = new byte[44];
        RetryFrames.WriteRetry(HandshakeId, new byte[21], hello.Length, retry);
        byte[] wrapped = new byte[hello.Length + 44];
        RetryFrames.WrapHello(hello, new byte[21], wrapped);
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "one byte", [0x01] },
            { "garbage", Enumerable.Repeat((byte)0xFF, 1200).ToArray() },
            { "RESPONSE", response },
            { "AUTH", auth },
            { "RETRY", retry },
            { "truncated HELLO", hello[..^1] },
            { "HELLO with trailing byte", [.. hello, 0] },
            { "HELLO shorter than 143", SecurityTestData.Hello(HandshakeId, 142) },
            { "truncated COOKIE_HELLO", wrapped[..^1] },
            { "COOKIE_HELLO around a RESPONSE", SecurityTestData.CookieHelloUnchecked(response, new byte[21]) },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedDatagrams))]
    public void Admit_MalformedDatagram_DropsMalformedWithoutTouchingState(string name, byte[] datagram)
    {
        HandshakeAdmission result = _guard.Admit(_client, datagram, Threshold, _retry, out int retryLength, out Range hello);
        Assert.True(result == HandshakeAdmission.DropMalformed, name);
        Assert.Equal(0, retryLength);
        Assert.Equal(default, hello);
        Assert.Equal(0, _guard.RateLimiter.Count);
    }

    [Fact]
    public void Admit_SourceNotAnIpAddress_DropsMalformed()
    {
        SocketAddress unix = new UnixDomainSocketEndPoint("/tmp/stt-guard.sock").Serialize();
        Assert.Equal(HandshakeAdmission.DropMalformed, Admit(unix, SecurityTestData.Hello(HandshakeId), 0, out _));
    }

    [Fact]
    public void Admit_RetryDestinationShorterThanRetry_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _guard.Admit(_client, SecurityTestData.Hello(HandshakeId), 0, new byte[43], out _, out _));
    }

    [Fact]
    public void Admit_NegativeHalfOpenCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _guard.Admit(_client, SecurityTestData.Hello(HandshakeId), -1, _retry, out _, out _));
    }

    [Fact]
    public void Constructor_ThresholdAboveMaxHalfOpen_Throws()
    {
        Assert.Throws<ArgumentException>(
            () => new HandshakeGuard(HandshakeGuardOptions.Default with { RetryThreshold = 11, MaxHalfOpen = 10 }, _time));
    }

    [Fact]
    public void Constructor_RotationShorterThanTwoBuckets_Throws()
    {
        Assert.Throws<ArgumentException>(
            () => new HandshakeGuard(HandshakeGuardOptions.Default with { SecretRotationInterval = TimeSpan.FromSeconds(19) }, _time));
    }

    [Fact]
    public void Admit_TenThousandSpoofedHellosAboveThreshold_OnlyRetriesAndNoStateButRateTable()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        var sources = new SocketAddress[10_000];
        for (int i = 0; i < sources.Length; i++)
        {
            sources[i] = new IPEndPoint(new IPAddress((uint)(0x0A000000 + i)), 1024 + (i % 60_000)).Serialize();
        }

        _guard.Admit(SecurityTestData.Source("198.51.100.1", 1), hello, Threshold, _retry, out _, out _);

        // Warm-up from other sources, so tiered JIT (on-stack replacement of this loop) is done before counting.
        for (int i = 0; i < 2_000; i++)
        {
            _guard.Admit(new IPEndPoint(new IPAddress((uint)(0x0B000000 + i)), 2000).Serialize(), hello, Threshold, _retry, out _, out _);
        }

        // Counted in two halves: the runtime can still finish a tier-up on this thread during one of them on a busy
        // machine (a few KB, once); a per-HELLO allocation would show in both.
        long generation = _guard.Tokens.Generation;
        int retries = 0;
        long[] allocated = new long[2];
        for (int half = 0; half < 2; half++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = half * 5_000; i < (half + 1) * 5_000; i++)
            {
                if (_guard.Admit(sources[i], hello, Threshold, _retry, out int retryLength, out _) == HandshakeAdmission.SendRetry
                    && retryLength == 44)
                {
                    retries++;
                }
            }

            allocated[half] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(10_000, retries);
        Assert.Equal(0, allocated.Min());
        Assert.Equal(generation, _guard.Tokens.Generation);
        Assert.True(_guard.RateLimiter.Count <= 12_001);
        Assert.True(_guard.RateLimiter.Count <= _guard.RateLimiter.Capacity);
    }

    [Fact]
    public void Admit_RealHelloPaddedForCookie_RetryThenAdmitsSameBytes()
    {
        byte[] seed = new byte[32];
        seed.AsSpan().Fill(7);
        using var identity = new NodeIdentity(seed);
        using var sharedSeed = new SharedSeed(seed);
        var initiator = new HandshakeInitiator(identity, sharedSeed, timeProvider: _time);
        byte[] hello = new byte[1200];
        int helloLength = initiator.WriteHello(hello, 1200 - RetryFrames.CookieHelloOverhead);
        hello = hello[..helloLength];

        Assert.Equal(HandshakeAdmission.SendRetry, _guard.Admit(_client, hello, Threshold, _retry, out int retryLength, out _));
        Assert.True(RetryFrames.TryReadRetry(_retry.AsSpan(0, retryLength), initiator.HandshakeId, out ReadOnlySpan<byte> token));
        byte[] wrapped = new byte[1200];
        Assert.Equal(1200, RetryFrames.WrapHello(hello, token, wrapped));

        Assert.Equal(HandshakeAdmission.Admit, Admit(_client, wrapped, Threshold, out Range inner));
        Assert.Equal(hello, wrapped[inner]);
    }
}

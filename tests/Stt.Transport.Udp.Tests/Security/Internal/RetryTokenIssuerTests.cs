using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Crypto;
using Stt.Transport.Udp.Security;
using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security.Internal;

public sealed class RetryTokenIssuerTests
{
    private const ulong HandshakeId = 0x0102_0304_0506_0708;
    private static readonly byte[] Address = SecurityTestData.Ip("192.0.2.1");
    private const ushort Port = 40_000;

    private readonly FakeTimeProvider _time = SecurityTestData.Clock();
    private readonly RetryTokenIssuer _issuer;

    public RetryTokenIssuerTests() => _issuer = new RetryTokenIssuer(HandshakeGuardOptions.Default, _time, RandomSource.System);

    private byte[] Mint(RetryTokenIssuer? issuer = null)
    {
        byte[] token = new byte[RetryTokenIssuer.TokenLength];
        (issuer ?? _issuer).Mint(Address, Port, HandshakeId, token);
        return token;
    }

    [Fact]
    public void Validate_TokenJustMinted_ReturnsTrue()
    {
        Assert.True(_issuer.Validate(Address, Port, HandshakeId, Mint()));
    }

    [Fact]
    public void Validate_Ipv6Source_RoundTrips()
    {
        byte[] ipv6 = SecurityTestData.Ip("2001:db8::5");
        byte[] token = new byte[RetryTokenIssuer.TokenLength];
        _issuer.Mint(ipv6, Port, HandshakeId, token);
        Assert.True(_issuer.Validate(ipv6, Port, HandshakeId, token));
        Assert.False(_issuer.Validate(SecurityTestData.Ip("2001:db8::6"), Port, HandshakeId, token));
    }

    [Theory]
    [InlineData("192.0.2.2")]
    [InlineData("198.51.100.1")]
    [InlineData("::ffff:192.0.2.2")]
    [InlineData("2001:db8::1")]
    public void Validate_OtherAddress_ReturnsFalse(string other)
    {
        Assert.False(_issuer.Validate(SecurityTestData.Ip(other), Port, HandshakeId, Mint()));
    }

    [Fact]
    public void Validate_Ipv4MappedFormOfSameAddress_ReturnsTrue()
    {
        Assert.True(_issuer.Validate(SecurityTestData.Ip("::ffff:192.0.2.1"), Port, HandshakeId, Mint()));
    }

    [Fact]
    public void Validate_OtherPort_ReturnsFalse()
    {
        Assert.False(_issuer.Validate(Address, Port + 1, HandshakeId, Mint()));
    }

    [Fact]
    public void Validate_OtherHandshakeId_ReturnsFalse()
    {
        Assert.False(_issuer.Validate(Address, Port, HandshakeId ^ 1, Mint()));
    }

    [Fact]
    public void Validate_LastMomentOfNextBucket_ReturnsTrue()
    {
        byte[] token = Mint();
        _time.Advance(TimeSpan.FromMilliseconds(19_999));
        Assert.True(_issuer.Validate(Address, Port, HandshakeId, token));
    }

    [Fact]
    public void Validate_TwoBucketsLater_ReturnsFalse()
    {
        byte[] token = Mint();
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(_issuer.Validate(Address, Port, HandshakeId, token));
    }

    [Fact]
    public void Validate_MintedAtEndOfBucket_ExpiresAtEndOfNextBucket()
    {
        _time.Advance(TimeSpan.FromMilliseconds(9_999));
        byte[] token = Mint();
        _time.Advance(TimeSpan.FromMilliseconds(10_000));
        Assert.True(_issuer.Validate(Address, Port, HandshakeId, token));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_issuer.Validate(Address, Port, HandshakeId, token));
    }

    [Fact]
    public void Validate_AfterOneRotation_ReturnsTrue()
    {
        byte[] token = Mint();
        _issuer.RotateSecret();
        Assert.True(_issuer.Validate(Address, Port, HandshakeId, token));
    }

    [Fact]
    public void Validate_AfterTwoRotations_ReturnsFalse()
    {
        byte[] token = Mint();
        _issuer.RotateSecret();
        _issuer.RotateSecret();
        Assert.False(_issuer.Validate(Address, Port, HandshakeId, token));
    }

    [Fact]
    public void Validate_PhaseOfSecretNotYetUsed_ReturnsFalse()
    {
        byte[] token = Mint();
        token[0] |= 0x80;
        Assert.False(_issuer.Validate(Address, Port, HandshakeId, token));
    }

    [Fact]
    public void Mint_RotationIntervalPassed_RotatesOncePerInterval()
    {
        Assert.Equal(0, _issuer.Generation);
        _time.Advance(TimeSpan.FromMinutes(10));
        byte[] token = Mint();
        Assert.Equal(1, _issuer.Generation);
        Assert.Equal(0x81, token[0]);
        Mint();
        Assert.Equal(1, _issuer.Generation);
        _time.Advance(TimeSpan.FromMinutes(10));
        Mint();
        Assert.Equal(2, _issuer.Generation);
    }

    [Fact]
    public void Validate_TokenOfAnotherIssuer_ReturnsFalse()
    {
        var other = new RetryTokenIssuer(HandshakeGuardOptions.Default, _time, RandomSource.System);
        Assert.False(_issuer.Validate(Address, Port, HandshakeId, Mint(other)));
    }

    [Fact]
    public void Validate_EveryFlippedBit_ReturnsFalse()
    {
        byte[] token = Mint();
        for (int bit = 0; bit < token.Length * 8; bit++)
        {
            byte[] tampered = (byte[])token.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(_issuer.Validate(Address, Port, HandshakeId, tampered), $"bit {bit}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(22)]
    public void Validate_WrongLength_ReturnsFalse(int length)
    {
        byte[] token = Mint();
        byte[] resized = new byte[length];
        token.AsSpan(0, Math.Min(length, token.Length)).CopyTo(resized);
        Assert.False(_issuer.Validate(Address, Port, HandshakeId, resized));
    }

    [Fact]
    public void Mint_KnownSecretAndTime_MatchesProtocolDocumentExample()
    {
        var issuer = new RetryTokenIssuer(HandshakeGuardOptions.Default, _time, new SecurityTestData.FixedRandomSource(0x11));
        Assert.Equal(ProtocolDocumentExample.Token, Convert.ToHexString(Mint(issuer)));
    }

    [Fact]
    public void Mint_DocumentedMacInput_IsWhatTheMacCovers()
    {
        byte[] secret = new byte[32];
        secret.AsSpan().Fill(0x11);
        byte[] mac = System.Security.Cryptography.HMACSHA256.HashData(secret, Convert.FromHexString(ProtocolDocumentExample.MacInput));
        Assert.Equal(ProtocolDocumentExample.Token[10..], Convert.ToHexString(mac, 0, 16));
    }

    [Fact]
    public void MintAndValidate_Repeated_AllocateNothing()
    {
        byte[] token = new byte[RetryTokenIssuer.TokenLength];
        _issuer.Mint(Address, Port, HandshakeId, token);
        _issuer.Validate(Address, Port, HandshakeId, token);
        // Three rounds: the runtime can still finish a tier-up on this thread during one of them on a busy machine (a
        // few KB, once); a per-call allocation would show in every round.
        long[] allocated = new long[3];
        for (int round = 0; round < allocated.Length; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                _issuer.Mint(Address, Port, HandshakeId, token);
                Assert.True(_issuer.Validate(Address, Port, HandshakeId, token));
            }

            allocated[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated.Min());
    }
}

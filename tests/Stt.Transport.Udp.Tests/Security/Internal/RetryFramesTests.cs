using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security.Internal;

public sealed class RetryFramesTests
{
    private const ulong HandshakeId = 0x0102_0304_0506_0708;
    private static readonly byte[] Token = Enumerable.Range(0xA0, RetryTokenIssuer.TokenLength).Select(b => (byte)b).ToArray();

    private static byte[] Retry()
    {
        byte[] retry = new byte[RetryFrames.RetryLength];
        Assert.Equal(RetryFrames.RetryLength, RetryFrames.WriteRetry(HandshakeId, Token, 1156, retry));
        return retry;
    }

    private static byte[] CookieHello(byte[] hello)
    {
        byte[] wrapped = new byte[hello.Length + RetryFrames.CookieHelloOverhead];
        Assert.Equal(wrapped.Length, RetryFrames.WrapHello(hello, Token, wrapped));
        return wrapped;
    }

    [Fact]
    public void WriteRetry_Always_WritesSectionFifteenLayout()
    {
        Assert.Equal(
            "07" + "04" + "0102030405060708" + "0000000000000000" + "00000015" + "00" + Convert.ToHexString(Token),
            Convert.ToHexString(Retry()));
    }

    [Fact]
    public void WriteRetry_ShortestHello_IsSmallerThanHello()
    {
        byte[] retry = new byte[RetryFrames.RetryLength];
        int written = RetryFrames.WriteRetry(HandshakeId, Token, RetryFrames.MinHelloLength, retry);
        Assert.Equal(44, written);
        Assert.True(written < RetryFrames.MinHelloLength);
    }

    [Fact]
    public void WriteRetry_AnsweredDatagramShorterThanRetry_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryFrames.WriteRetry(HandshakeId, Token, 43, new byte[64]));
    }

    [Fact]
    public void WriteRetry_DestinationTooShort_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryFrames.WriteRetry(HandshakeId, Token, 1200, new byte[43]));
    }

    [Fact]
    public void TryReadRetry_WrittenRetry_ReturnsToken()
    {
        Assert.True(RetryFrames.TryReadRetry(Retry(), HandshakeId, out ReadOnlySpan<byte> token));
        Assert.Equal(Token, token.ToArray());
    }

    [Fact]
    public void TryReadRetry_EveryTruncation_ReturnsFalse()
    {
        byte[] retry = Retry();
        for (int length = 0; length < retry.Length; length++)
        {
            Assert.False(RetryFrames.TryReadRetry(retry.AsSpan(0, length), HandshakeId, out _), $"length {length}");
        }
    }

    [Fact]
    public void TryReadRetry_TrailingByte_ReturnsFalse()
    {
        byte[] longer = [.. Retry(), 0];
        Assert.False(RetryFrames.TryReadRetry(longer, HandshakeId, out _));
    }

    [Fact]
    public void TryReadRetry_OtherHandshakeId_ReturnsFalse()
    {
        Assert.False(RetryFrames.TryReadRetry(Retry(), HandshakeId + 1, out _));
    }

    [Theory]
    [InlineData(0, 0x08)]
    [InlineData(0, 0x01)]
    [InlineData(1, 0x00)]
    [InlineData(1, 0x05)]
    [InlineData(17, 0x01)]
    [InlineData(21, 0x14)]
    [InlineData(20, 0x01)]
    [InlineData(22, 0x01)]
    public void TryReadRetry_HeaderFieldChanged_ReturnsFalse(int offset, byte value)
    {
        byte[] retry = Retry();
        retry[offset] = value;
        Assert.False(RetryFrames.TryReadRetry(retry, HandshakeId, out _));
    }

    [Fact]
    public void WrapHello_PaddedToBudgetMinusOverhead_FillsDatagramBudget()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId, 1200 - RetryFrames.CookieHelloOverhead);
        byte[] wrapped = CookieHello(hello);
        Assert.Equal(1200, wrapped.Length);
        Assert.Equal("08" + "00" + "0102030405060708" + "0000000000000000" + "00000499" + "00", Convert.ToHexString(wrapped, 0, 23));
        Assert.Equal(Token, wrapped[23..44]);
        Assert.Equal(hello, wrapped[44..]);
    }

    [Fact]
    public void TryUnwrapCookieHello_WrappedHello_ReturnsTokenAndHello()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        byte[] wrapped = CookieHello(hello);
        Assert.True(RetryFrames.TryUnwrapCookieHello(wrapped, out ulong handshakeId, out Range token, out Range inner));
        Assert.Equal(HandshakeId, handshakeId);
        Assert.Equal(Token, wrapped[token]);
        Assert.Equal(hello, wrapped[inner]);
    }

    [Fact]
    public void TryUnwrapCookieHello_ShortestHello_RoundTrips()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId, RetryFrames.MinHelloLength);
        Assert.True(RetryFrames.TryUnwrapCookieHello(CookieHello(hello), out _, out _, out Range inner));
        Assert.Equal(RetryFrames.MinHelloLength, inner.GetOffsetAndLength(RetryFrames.MinHelloLength + 44).Length);
    }

    [Fact]
    public void TryUnwrapCookieHello_EveryTruncation_ReturnsFalse()
    {
        byte[] wrapped = CookieHello(SecurityTestData.Hello(HandshakeId, 200));
        for (int length = 0; length < wrapped.Length; length++)
        {
            Assert.False(RetryFrames.TryUnwrapCookieHello(wrapped.AsSpan(0, length), out ulong id, out _, out _), $"length {length}");
            Assert.Equal(0UL, id);
        }
    }

    [Fact]
    public void TryUnwrapCookieHello_TrailingByte_ReturnsFalse()
    {
        byte[] longer = [.. CookieHello(SecurityTestData.Hello(HandshakeId)), 0];
        Assert.False(RetryFrames.TryUnwrapCookieHello(longer, out _, out _, out _));
    }

    [Fact]
    public void TryUnwrapCookieHello_InnerHandshakeIdDiffers_ReturnsFalse()
    {
        byte[] wrapped = CookieHello(SecurityTestData.Hello(HandshakeId));
        wrapped[44 + 9] ^= 1;
        Assert.False(RetryFrames.TryUnwrapCookieHello(wrapped, out _, out _, out _));
    }

    [Theory]
    [InlineData(0, 0x07)]
    [InlineData(1, 0x04)]
    [InlineData(10, 0x01)]
    [InlineData(22, 0x01)]
    [InlineData(44, 0x05)]
    [InlineData(45, 0x04)]
    [InlineData(44 + 17, 0x01)]
    [InlineData(44 + 22, 0x01)]
    public void TryUnwrapCookieHello_FieldChanged_ReturnsFalse(int offset, byte value)
    {
        byte[] wrapped = CookieHello(SecurityTestData.Hello(HandshakeId));
        wrapped[offset] = value;
        Assert.False(RetryFrames.TryUnwrapCookieHello(wrapped, out _, out _, out _));
    }

    [Fact]
    public void CookieHelloUnchecked_ValidHello_MatchesCodec()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        Assert.Equal(CookieHello(hello), SecurityTestData.CookieHelloUnchecked(hello, Token));
    }

    [Fact]
    public void TryUnwrapCookieHello_InnerHelloShorterThanMinimum_ReturnsFalse()
    {
        byte[] wrapped = SecurityTestData.CookieHelloUnchecked(SecurityTestData.Hello(HandshakeId, RetryFrames.MinHelloLength - 1), Token);
        Assert.False(RetryFrames.TryUnwrapCookieHello(wrapped, out _, out _, out _));
    }

    [Fact]
    public void WrapHello_NotAHello_Throws()
    {
        byte[] response = SecurityTestData.Hello(HandshakeId, 135);
        response[1] = 0x04;
        Assert.Throws<ArgumentException>(() => RetryFrames.WrapHello(response, Token, new byte[200]));
    }

    [Fact]
    public void WrapHello_DestinationTooShort_Throws()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryFrames.WrapHello(hello, Token, new byte[hello.Length + 43]));
    }

    [Fact]
    public void WrapHello_WrongTokenLength_Throws()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId);
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryFrames.WrapHello(hello, new byte[20], new byte[1300]));
    }

    [Fact]
    public void IsHello_EveryTruncation_ReturnsFalse()
    {
        byte[] hello = SecurityTestData.Hello(HandshakeId, 200);
        Assert.True(RetryFrames.IsHello(hello, out ulong id));
        Assert.Equal(HandshakeId, id);
        for (int length = 0; length < hello.Length; length++)
        {
            Assert.False(RetryFrames.IsHello(hello.AsSpan(0, length), out _), $"length {length}");
        }
    }
}

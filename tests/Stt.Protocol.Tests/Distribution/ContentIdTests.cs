using System.Security.Cryptography;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Protocol.Tests.Distribution;

public class ContentIdTests
{
    private static readonly byte[] Bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void ToString_IsLowerHex_AndParsesBack()
    {
        var id = ContentId.FromHash(Bytes);
        string hex = id.ToString();
        Assert.Equal("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", hex);
        Assert.Equal(id, ContentId.Parse(hex));
        Assert.Equal(id, ContentId.Parse(hex.ToUpperInvariant()));
        Assert.Equal(Bytes, id.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00")]
    [InlineData("g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")]
    public void TryParse_RejectsAnythingButSixtyFourHexDigits(string text)
    {
        Assert.False(ContentId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ContentId.Parse(text));
    }

    [Fact]
    public void TryParse_Null_IsFalse()
    {
        Assert.False(ContentId.TryParse((string?)null, out _));
    }

    [Fact]
    public void Equality_FollowsEveryByte()
    {
        var id = ContentId.FromHash(Bytes);
        for (int i = 0; i < 32; i++)
        {
            byte[] other = (byte[])Bytes.Clone();
            other[i] ^= 0x80;
            var different = ContentId.FromHash(other);
            Assert.NotEqual(id, different);
            Assert.True(id != different);
        }

        Assert.True(id == ContentId.FromHash((byte[])Bytes.Clone()));
        Assert.Equal(id.GetHashCode(), ContentId.FromHash((byte[])Bytes.Clone()).GetHashCode());
        Assert.Equal("0000000000000000000000000000000000000000000000000000000000000000", default(ContentId).ToString());
    }

    [Fact]
    public void FromHash_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => ContentId.FromHash(new byte[31]));
        Assert.Throws<ArgumentException>(() => ContentId.FromHash(new byte[33]));
    }

    [Fact]
    public void Compute_IsSha256OfTheManifest()
    {
        byte[] manifest = "manifest"u8.ToArray();
        Assert.Equal(ContentId.FromHash(SHA256.HashData(manifest)), ContentId.Compute(manifest));
    }

    [Fact]
    public void TryReadAndTryWrite_CheckLengths()
    {
        Assert.False(ContentId.TryRead(new byte[31], out _));
        Assert.True(ContentId.TryRead(Bytes.Concat(new byte[] { 9 }).ToArray(), out ContentId read));
        Assert.Equal(ContentId.FromHash(Bytes), read);
        Assert.False(read.TryWrite(new byte[31]));
    }
}

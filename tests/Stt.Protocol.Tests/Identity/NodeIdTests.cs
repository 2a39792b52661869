using Stt.Protocol.Identity;
using Xunit;

namespace Stt.Protocol.Tests.Identity;

public sealed class NodeIdTests
{
    private static readonly byte[] Bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void ToString_Bytes_IsLowercaseHexInWireOrder()
    {
        Assert.Equal("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", new NodeId(Bytes).ToString());
    }

    [Fact]
    public void Parse_ToString_RoundTrips()
    {
        var id = new NodeId(Bytes);

        Assert.Equal(id, NodeId.Parse(id.ToString()));
        Assert.Throws<FormatException>(() => NodeId.Parse("00"));
        Assert.Throws<FormatException>(() => NodeId.Parse(new string('g', 64)));
    }

    [Fact]
    public void Xor_TwoIds_XorsEveryByteAndIsZeroWithItself()
    {
        var a = new NodeId(Bytes);
        var b = new NodeId(Enumerable.Repeat((byte)0xFF, 32).ToArray());
        var result = new byte[32];

        (a ^ b).CopyTo(result);

        Assert.Equal(Bytes.Select(x => (byte)~x).ToArray(), result);
        Assert.Equal(new NodeId(new byte[32]), a.Xor(a));
        Assert.Equal(0x0001020304050607UL, a.FirstWord);
    }

    [Fact]
    public void Constructor_WrongLength_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[31]));
        Assert.Throws<ArgumentException>(() => NodeId.FromPublicKey(new byte[33]));
    }

    [Fact]
    public void Equality_SameBytes_EqualWithSameHashCode()
    {
        var a = new NodeId(Bytes);
        var b = new NodeId(Bytes.ToArray());

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
    }
}

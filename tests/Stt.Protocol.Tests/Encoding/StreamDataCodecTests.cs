using CsCheck;
using Stt.Protocol.Encoding;
using Xunit;

namespace Stt.Protocol.Tests.Encoding;

public sealed class StreamDataCodecTests
{
    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(63UL, 1)]
    [InlineData(64UL, 2)]
    [InlineData(262_144UL, 4)]
    [InlineData(StreamDataCodec.MaxOffset, 8)]
    public void WriteOffsetThenTryReadOffset_BoundaryOffset_RoundTrips(ulong offset, int size)
    {
        byte[] plaintext = new byte[size];

        int written = StreamDataCodec.WriteOffset(plaintext, offset);
        bool ok = StreamDataCodec.TryReadOffset(plaintext, out ulong read, out int consumed);

        Assert.Equal(size, written);
        Assert.Equal(size, StreamDataCodec.GetOffsetSize(offset));
        Assert.True(ok);
        Assert.Equal(offset, read);
        Assert.Equal(size, consumed);
    }

    [Fact]
    public void TryReadOffset_AnyOffsetAndData_RoundTrips()
    {
        Gen.Select(Gen.ULong[0, 1UL << 40], Gen.Byte.Array[0, 64]).Sample((offset, data) =>
        {
            byte[] plaintext = new byte[StreamDataCodec.GetOffsetSize(offset) + data.Length];
            int written = StreamDataCodec.WriteOffset(plaintext, offset);
            data.CopyTo(plaintext, written);

            Assert.True(StreamDataCodec.TryReadOffset(plaintext, out ulong read, out int consumed));
            Assert.Equal(offset, read);
            Assert.Equal(data, plaintext[consumed..]);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("40")]
    [InlineData("800000")]
    [InlineData("C0000000000000")]
    [InlineData("4005")]
    [InlineData("8000003F00")]
    public void TryReadOffset_EmptyTruncatedOrNonMinimal_ReturnsFalse(string hex)
    {
        Assert.False(StreamDataCodec.TryReadOffset(Convert.FromHexString(hex), out ulong offset, out int consumed));
        Assert.Equal((0UL, 0), (offset, consumed));
    }

    [Fact]
    public void TryReadOffset_DataEndsPastMaxOffset_ReturnsFalse()
    {
        byte[] atMax = new byte[8];
        StreamDataCodec.WriteOffset(atMax, StreamDataCodec.MaxOffset);
        byte[] oneBytePast = [.. atMax, 0x00];
        byte[] lastByte = new byte[9];
        StreamDataCodec.WriteOffset(lastByte, StreamDataCodec.MaxOffset - 1);

        Assert.True(StreamDataCodec.TryReadOffset(atMax, out _, out _));
        Assert.False(StreamDataCodec.TryReadOffset(oneBytePast, out _, out _));
        Assert.True(StreamDataCodec.TryReadOffset(lastByte, out ulong offset, out _));
        Assert.Equal(StreamDataCodec.MaxOffset - 1, offset);
    }

    [Fact]
    public void WriteOffset_TooShortOrTooLarge_ReturnsZeroOrThrows()
    {
        Assert.Equal(0, StreamDataCodec.WriteOffset(new byte[1], 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamDataCodec.WriteOffset(new byte[8], StreamDataCodec.MaxOffset + 1));
    }
}

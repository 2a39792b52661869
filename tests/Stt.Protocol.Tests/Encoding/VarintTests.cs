using System.Buffers;
using CsCheck;
using Stt.Protocol.Encoding;
using Xunit;

namespace Stt.Protocol.Tests.Encoding;

public sealed class VarintTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(63UL, "3F")]
    [InlineData(64UL, "4040")]
    [InlineData(16383UL, "7FFF")]
    [InlineData(16384UL, "80004000")]
    [InlineData((1UL << 30) - 1, "BFFFFFFF")]
    [InlineData(1UL << 30, "C000000040000000")]
    [InlineData(Varint.MaxValue, "FFFFFFFFFFFFFFFF")]
    public void Write_BoundaryValue_WritesShortestEncodingAndReadsBack(ulong value, string hex)
    {
        byte[] expected = Convert.FromHexString(hex);
        byte[] buffer = new byte[Varint.MaxLength];

        int written = Varint.Write(buffer, value);
        OperationStatus status = Varint.TryRead(expected, out ulong read, out int length);

        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.GetEncodedLength(value));
        Assert.Equal(expected.Length, Varint.GetLengthFromFirstByte(expected[0]));
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, length);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(63UL)]
    [InlineData(64UL)]
    [InlineData(16383UL)]
    [InlineData(16384UL)]
    [InlineData((1UL << 30) - 1)]
    [InlineData(1UL << 30)]
    [InlineData(Varint.MaxValue)]
    public void TryRead_EveryTruncation_NeedsMoreData(ulong value)
    {
        byte[] encoded = new byte[Varint.GetEncodedLength(value)];
        Varint.Write(encoded, value);

        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, Varint.TryRead(encoded.AsSpan(0, length), out ulong read, out int consumed));
            Assert.Equal((0UL, 0), (read, consumed));
        }
    }

    [Fact]
    public void TryRead_EveryTwoByteEncodingOfOneByteValue_IsInvalid()
    {
        for (ulong value = 0; value < 64; value++)
        {
            AssertNonMinimal([(byte)(0x40 | (value >> 8)), (byte)value]);
        }
    }

    [Fact]
    public void TryRead_EveryFourByteEncodingOfShorterValue_IsInvalid()
    {
        byte[] encoded = new byte[4];
        for (uint value = 0; value < 16384; value++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(encoded, 0x8000_0000u | value);
            AssertNonMinimal(encoded);
        }
    }

    [Fact]
    public void TryRead_EightByteEncodingOfShorterValue_IsInvalid()
    {
        byte[] encoded = new byte[8];
        foreach (ulong value in new ulong[] { 0, 1, 63, 64, 16383, 16384, (1UL << 30) - 1 })
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(encoded, 0xC000_0000_0000_0000UL | value);
            AssertNonMinimal(encoded);
        }

        Gen.ULong[0, (1UL << 30) - 1].Sample(value =>
        {
            byte[] bytes = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, 0xC000_0000_0000_0000UL | value);
            AssertNonMinimal(bytes);
        });
    }

    [Fact]
    public void WriteThenTryRead_AnyValue_RoundTrips()
    {
        Gen.ULong[0, Varint.MaxValue].Sample(value =>
        {
            Span<byte> buffer = stackalloc byte[Varint.MaxLength + 1];
            buffer.Fill(0xEE);
            int written = Varint.Write(buffer, value);

            Assert.Equal(Varint.GetEncodedLength(value), written);
            Assert.Equal(0xEE, buffer[written]);
            Assert.Equal(OperationStatus.Done, Varint.TryRead(buffer, out ulong read, out int length));
            Assert.Equal(value, read);
            Assert.Equal(written, length);
        });
    }

    [Fact]
    public void Write_DestinationTooShort_ReturnsZeroAndWritesNothing()
    {
        byte[] buffer = [0xEE, 0xEE, 0xEE];

        Assert.Equal(0, Varint.Write(buffer, 16384));
        Assert.Equal(0, Varint.Write(Span<byte>.Empty, 0));
        Assert.Equal([0xEE, 0xEE, 0xEE], buffer);
    }

    [Fact]
    public void Write_ValueAboveMax_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Varint.Write(new byte[8], Varint.MaxValue + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Varint.GetEncodedLength(ulong.MaxValue));
    }

    private static void AssertNonMinimal(byte[] encoded)
    {
        Assert.Equal(OperationStatus.InvalidData, Varint.TryRead(encoded, out ulong value, out int length));
        Assert.Equal((0UL, 0), (value, length));
    }
}

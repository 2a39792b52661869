using Stt.Protocol.Encoding;
using Xunit;

namespace Stt.Protocol.Tests.Encoding;

public sealed class ControlMessageWriterTests
{
    public static TheoryData<string, SequenceRange[]> InvalidAckRanges => new()
    {
        { "empty", [] },
        { "65 ranges", Enumerable.Range(0, 65).Select(i => new SequenceRange((ulong)(1000 - (i * 3)), (ulong)(1000 - (i * 3)))).ToArray() },
        { "start after end", [new SequenceRange(5, 4)] },
        { "ascending", [new SequenceRange(1, 2), new SequenceRange(10, 12)] },
        { "overlapping", [new SequenceRange(5, 10), new SequenceRange(3, 6)] },
        { "adjacent", [new SequenceRange(5, 10), new SequenceRange(1, 4)] },
        { "second range starts after it ends", [new SequenceRange(5, 10), new SequenceRange(3, 2)] },
        { "second range under a range starting at 1", [new SequenceRange(1, 10), new SequenceRange(0, 0)] },
    };

    [Fact]
    public void Write_EachMessage_ProducesSpecBytes()
    {
        AssertWrites("01", d => ControlMessageWriter.WritePing(d));
        AssertWrites("020A190005", d => ControlMessageWriter.WriteAck(d, [new SequenceRange(5, 10)], 25));
        AssertWrites("020A0001020105", d => ControlMessageWriter.WriteAck(d, [new SequenceRange(8, 10), new SequenceRange(0, 5)], 0));
        AssertWrites("030203626164", d => ControlMessageWriter.WriteClose(d, ProtocolErrorCode.ProtocolViolation, "bad"u8));
        AssertWrites("03410000", d => ControlMessageWriter.WriteClose(d, ProtocolErrorCode.ApplicationBase, []));
        AssertWrites("0480100000", d => ControlMessageWriter.WriteMaxData(d, 1_048_576));
        AssertWrites("054064", d => ControlMessageWriter.WriteMaxStreams(d, 100));
        AssertWrites("01050F", d => ControlMessageWriter.WriteResetStream(d, 5, 15));
        AssertWrites("0280004000", d => ControlMessageWriter.WriteStopSending(d, 16384));
        AssertWrites("0380040000", d => ControlMessageWriter.WriteMaxStreamData(d, 262_144));
    }

    [Fact]
    public void Write_DestinationTooShort_ReturnsZeroAndWritesNothing()
    {
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WritePing(d));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteAck(d, [new SequenceRange(100, 100_000), new SequenceRange(0, 5)], 1_000_000));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteClose(d, ProtocolErrorCode.ShuttingDown, "shutting down"u8));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteMaxData(d, Varint.MaxValue));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteMaxStreams(d, 100));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteResetStream(d, 1 << 20, Varint.MaxValue));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteStopSending(d, 300));
        AssertAllShortDestinationsRejected(d => ControlMessageWriter.WriteMaxStreamData(d, 70_000));
    }

    [Theory]
    [MemberData(nameof(InvalidAckRanges))]
    public void WriteAck_InvalidRanges_ThrowsArgumentException(string name, SequenceRange[] ranges)
    {
        Assert.NotNull(name);
        Assert.Throws<ArgumentException>(nameof(ranges), () => ControlMessageWriter.WriteAck(new byte[ControlMessageWriter.MaxAckSize], ranges, 0));
        Assert.Throws<ArgumentException>(nameof(ranges), () => ControlMessageWriter.GetAckSize(ranges, 0));
    }

    [Fact]
    public void WriteAck_ValueAboveVarintMax_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteAck(new byte[64], [new SequenceRange(0, Varint.MaxValue + 1)], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteAck(new byte[64], [new SequenceRange(0, 1)], ulong.MaxValue));
    }

    [Fact]
    public void WriteClose_ReasonTooLongOrNotUtf8_ThrowsArgumentException()
    {
        byte[] tooLong = new byte[ControlMessageWriter.MaxCloseReasonLength + 1];
        tooLong.AsSpan().Fill((byte)'a');

        Assert.Throws<ArgumentException>("reasonUtf8", () => ControlMessageWriter.WriteClose(new byte[512], ProtocolErrorCode.NoError, tooLong));
        Assert.Throws<ArgumentException>("reasonUtf8", () => ControlMessageWriter.WriteClose(new byte[512], ProtocolErrorCode.NoError, [0xC3, 0x28]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteClose(new byte[512], (ProtocolErrorCode)ulong.MaxValue, []));
    }

    [Fact]
    public void Write_ValueAboveVarintMax_ThrowsArgumentOutOfRange()
    {
        const ulong TooLarge = Varint.MaxValue + 1;
        byte[] buffer = new byte[32];

        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteMaxData(buffer, TooLarge));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteMaxStreams(buffer, TooLarge));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteResetStream(buffer, 0, TooLarge));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteStopSending(buffer, TooLarge));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlMessageWriter.WriteMaxStreamData(buffer, TooLarge));
    }

    [Fact]
    public void MaxSizes_WorstCaseMessages_FitExactly()
    {
        const ulong Wide = 1UL << 30;
        var ranges = new SequenceRange[ControlMessageWriter.MaxAckRanges];
        ulong end = Varint.MaxValue;
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = new SequenceRange(end - Wide, end);
            end -= (2 * Wide) + 2;
        }

        byte[] reason = new byte[ControlMessageWriter.MaxCloseReasonLength];
        reason.AsSpan().Fill((byte)'r');
        byte[] buffer = new byte[2048];

        Assert.Equal(ControlMessageWriter.MaxAckSize, ControlMessageWriter.GetAckSize(ranges, Varint.MaxValue));
        Assert.Equal(ControlMessageWriter.MaxAckSize, ControlMessageWriter.WriteAck(buffer, ranges, Varint.MaxValue));
        Assert.Equal(ControlMessageWriter.MaxCloseSize, ControlMessageWriter.GetCloseSize((ProtocolErrorCode)Varint.MaxValue, reason));
        Assert.Equal(ControlMessageWriter.MaxCloseSize, ControlMessageWriter.WriteClose(buffer, (ProtocolErrorCode)Varint.MaxValue, reason));
        Assert.Equal(ControlMessageWriter.MaxSingleValueMessageSize, ControlMessageWriter.WriteMaxData(buffer, Varint.MaxValue));
        Assert.Equal(ControlMessageWriter.MaxResetStreamSize, ControlMessageWriter.WriteResetStream(buffer, Varint.MaxValue, Varint.MaxValue));
        Assert.Equal(ControlMessageWriter.PingSize, ControlMessageWriter.WritePing(buffer));
    }

    private delegate int Writer(Span<byte> destination);

    private static void AssertWrites(string expectedHex, Writer write)
    {
        byte[] buffer = new byte[64];
        int written = write(buffer);
        Assert.Equal(Convert.FromHexString(expectedHex), buffer[..written]);
    }

    private static void AssertAllShortDestinationsRejected(Writer write)
    {
        int size = write(new byte[ControlMessageWriter.MaxAckSize]);
        Assert.True(size > 0);
        for (int length = 0; length < size; length++)
        {
            byte[] destination = new byte[length];
            destination.AsSpan().Fill(0xEE);

            Assert.Equal(0, write(destination));
            Assert.All(destination, b => Assert.Equal(0xEE, b));
        }
    }
}

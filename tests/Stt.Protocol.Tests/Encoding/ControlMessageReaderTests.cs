using CsCheck;
using Stt.Protocol.Encoding;
using Xunit;

namespace Stt.Protocol.Tests.Encoding;

public sealed class ControlMessageReaderTests
{
    public static TheoryData<string, string> WellFormedMessages => new()
    {
        { "PING", "01" },
        { "ACK, one range", "020A00000A" },
        { "ACK, two ranges", "020A0001020105" },
        { "ACK, 2-byte largest, delay and first range", "0243E8412C004064" },
        { "CLOSE, empty reason", "030000" },
        { "CLOSE, reason", "030203626164" },
        { "CLOSE, application code", "03410000" },
        { "MAX_DATA", "0480100000" },
        { "MAX_STREAMS", "054064" },
    };

    public static TheoryData<string, string> NonMinimalFields => new()
    {
        { "MAX_DATA value", "044005" },
        { "MAX_STREAMS value", "05800000FF" },
        { "ACK largest", "024005000000" },
        { "ACK delay", "020540000000" },
        { "ACK range count", "020500400000" },
        { "ACK first range", "020500004000" },
        { "ACK gap", "020A000100400000" },
        { "ACK range length", "020A000100004000" },
        { "CLOSE error code", "03400200" },
        { "CLOSE reason length", "03004000" },
    };

    [Fact]
    public void TryRead_Ping_ReadsPing()
    {
        ControlMessage message = ReadSingle([0x01]);

        Assert.Equal(ControlMessageKind.Ping, message.Kind);
        Assert.True(message.IsAckEliciting);
        Assert.Equal(0UL, message.Value);
        Assert.Equal(0, message.AckRangeCount);
    }

    [Theory]
    [InlineData(ControlMessageKind.MaxData, 0UL)]
    [InlineData(ControlMessageKind.MaxData, 1_048_576UL)]
    [InlineData(ControlMessageKind.MaxData, Varint.MaxValue)]
    [InlineData(ControlMessageKind.MaxStreams, 100UL)]
    [InlineData(ControlMessageKind.MaxStreams, 16384UL)]
    public void TryRead_Limit_RoundTripsValue(ControlMessageKind kind, ulong value)
    {
        byte[] buffer = new byte[ControlMessageWriter.MaxSingleValueMessageSize];
        int written = kind == ControlMessageKind.MaxData
            ? ControlMessageWriter.WriteMaxData(buffer, value)
            : ControlMessageWriter.WriteMaxStreams(buffer, value);

        ControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(kind, message.Kind);
        Assert.Equal(value, message.Value);
        Assert.True(message.IsAckEliciting);
        Assert.Equal(ProtocolErrorCode.NoError, message.ErrorCode);
        Assert.Equal(0UL, message.Largest);
    }

    [Theory]
    [InlineData(ProtocolErrorCode.NoError, "")]
    [InlineData(ProtocolErrorCode.ProtocolViolation, "bad ack")]
    [InlineData(ProtocolErrorCode.ApplicationBase + 7, "über ✓ 🚀")]
    [InlineData(ProtocolErrorCode.IdleTimeout, null)]
    public void TryRead_Close_RoundTripsCodeAndReason(ProtocolErrorCode code, string? reason)
    {
        byte[] reasonBytes = reason is null ? Enumerable.Repeat((byte)'x', ControlMessageWriter.MaxCloseReasonLength).ToArray() : System.Text.Encoding.UTF8.GetBytes(reason);
        byte[] buffer = new byte[ControlMessageWriter.MaxCloseSize];
        int written = ControlMessageWriter.WriteClose(buffer, code, reasonBytes);

        ControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(ControlMessageKind.Close, message.Kind);
        Assert.False(message.IsAckEliciting);
        Assert.Equal(code, message.ErrorCode);
        Assert.Equal(reasonBytes, message.Reason.ToArray());
        Assert.Equal(ControlMessageWriter.GetCloseSize(code, reasonBytes), written);
    }

    [Fact]
    public void TryRead_AckWithOneRange_RoundTrips()
    {
        SequenceRange[] ranges = [new(5, 10)];
        byte[] buffer = new byte[ControlMessageWriter.MaxAckSize];
        int written = ControlMessageWriter.WriteAck(buffer, ranges, 25);

        ControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(ControlMessageKind.Ack, message.Kind);
        Assert.False(message.IsAckEliciting);
        Assert.Equal(10UL, message.Largest);
        Assert.Equal(25UL, message.AckDelayMicroseconds);
        Assert.Equal(1, message.AckRangeCount);
        Assert.Equal(ranges, Ranges(message));
        Assert.Equal([0x02, 0x0A, 0x19, 0x00, 0x05], buffer[..written]);
    }

    [Fact]
    public void TryRead_AckWithSixtyFourRanges_RoundTrips()
    {
        var ranges = new SequenceRange[ControlMessageWriter.MaxAckRanges];
        ulong end = 1_000_000;
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = new SequenceRange(end - (ulong)i, end);
            end -= (ulong)i + 2 + (ulong)(i * 100);
        }

        byte[] buffer = new byte[ControlMessageWriter.MaxAckSize];
        int written = ControlMessageWriter.WriteAck(buffer, ranges, 0);

        ControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(64, message.AckRangeCount);
        Assert.Equal(ranges, Ranges(message));
    }

    [Fact]
    public void TryRead_AckWithTwoRanges_DecodesGapAndLengthPerRfc9000()
    {
        // largest 10, first range 2 -> 8..10; gap 1 -> next ends at 8 - 1 - 2 = 5; length 5 -> 0..5.
        ControlMessage message = ReadSingle(Convert.FromHexString("020A0001020105"));

        Assert.Equal([new SequenceRange(8, 10), new SequenceRange(0, 5)], Ranges(message));
    }

    [Fact]
    public void TryRead_AckRangeEndingExactlyAtZero_IsValid()
    {
        // largest 10, first range 0 -> 10..10; gap 8 -> next ends at 0; length 0 -> 0..0.
        ControlMessage message = ReadSingle(Convert.FromHexString("020A0001000800"));

        Assert.Equal([new SequenceRange(10, 10), new SequenceRange(0, 0)], Ranges(message));
    }

    [Theory]
    [InlineData("0205000006")]
    [InlineData("020A0001000900")]
    [InlineData("020A0001000801")]
    [InlineData("0200000001")]
    public void TryRead_AckRangeBelowZero_ThrowsProtocolViolation(string hex)
    {
        AssertViolation(Convert.FromHexString(hex), ProtocolErrorCode.ProtocolViolation);
    }

    [Theory]
    [InlineData("020A004040")]
    [InlineData("020A00BFFFFFFF")]
    [InlineData("020A00FFFFFFFFFFFFFFFF")]
    public void TryRead_AckWithMoreThanSixtyFourRanges_ThrowsFrameSizeErrorBeforeReadingRanges(string hex)
    {
        AssertViolation(Convert.FromHexString(hex), ProtocolErrorCode.FrameSizeError);
    }

    [Fact]
    public void TryRead_AckWithSixtyFiveEncodedRanges_ThrowsFrameSizeError()
    {
        var encoded = new List<byte> { 0x02, 0x80, 0x01, 0x00, 0x00, 0x00, 0x40, 0x40, 0x00 };
        for (int i = 0; i < 64; i++)
        {
            encoded.AddRange([0x00, 0x00]);
        }

        AssertViolation([.. encoded], ProtocolErrorCode.FrameSizeError);
    }

    [Theory]
    [InlineData("03004101")]
    [InlineData("0300FFFFFFFFFFFFFFFF")]
    public void TryRead_CloseReasonOver256Bytes_ThrowsFrameSizeError(string hex)
    {
        AssertViolation(Convert.FromHexString(hex), ProtocolErrorCode.FrameSizeError);
    }

    [Theory]
    [InlineData("030002C328")]
    [InlineData("030002C080")]
    [InlineData("030001FF")]
    [InlineData("030003EDA080")]
    public void TryRead_CloseReasonNotUtf8_ThrowsProtocolViolation(string hex)
    {
        AssertViolation(Convert.FromHexString(hex), ProtocolErrorCode.ProtocolViolation);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("06")]
    [InlineData("FF")]
    [InlineData("0100")]
    [InlineData("054064FF")]
    public void TryRead_UnknownKindOrTrailingGarbage_ThrowsProtocolViolation(string hex)
    {
        AssertViolation(Convert.FromHexString(hex), ProtocolErrorCode.ProtocolViolation);
    }

    [Fact]
    public void TryRead_EmptyPlaintext_ThrowsProtocolViolation()
    {
        AssertViolation([], ProtocolErrorCode.ProtocolViolation);
    }

    [Theory]
    [MemberData(nameof(NonMinimalFields))]
    public void TryRead_NonMinimalVarintInAnyField_ThrowsProtocolViolation(string field, string hex)
    {
        Assert.NotNull(field);
        AssertViolation(Convert.FromHexString(hex), ProtocolErrorCode.ProtocolViolation);
    }

    [Theory]
    [MemberData(nameof(WellFormedMessages))]
    public void TryRead_EveryTruncationOfMessage_ThrowsProtocolViolation(string name, string hex)
    {
        Assert.NotNull(name);
        byte[] message = Convert.FromHexString(hex);
        byte[] afterPing = [0x01, .. message];
        ReadAll(message);
        ReadAll(afterPing);

        for (int length = 0; length < message.Length; length++)
        {
            AssertViolation(message[..length], ProtocolErrorCode.ProtocolViolation);
            if (length > 0)
            {
                AssertViolation(afterPing[..(1 + length)], ProtocolErrorCode.ProtocolViolation);
            }
        }
    }

    [Fact]
    public void TryRead_EveryTruncationOfSixtyFourRangeAck_ThrowsProtocolViolation()
    {
        var ranges = new SequenceRange[64];
        for (int i = 0; i < ranges.Length; i++)
        {
            ulong end = (ulong)(64 - i) * 1000;
            ranges[i] = new SequenceRange(end - 10, end);
        }

        byte[] buffer = new byte[ControlMessageWriter.MaxAckSize];
        byte[] ack = buffer[..ControlMessageWriter.WriteAck(buffer, ranges, 1234)];

        for (int length = 0; length < ack.Length; length++)
        {
            AssertViolation(ack[..length], ProtocolErrorCode.ProtocolViolation);
        }
    }

    [Fact]
    public void TryRead_SeveralMessages_ReadsThemInOrder()
    {
        byte[] buffer = new byte[64];
        int length = ControlMessageWriter.WritePing(buffer);
        length += ControlMessageWriter.WriteAck(buffer.AsSpan(length), [new SequenceRange(3, 7)], 10);
        length += ControlMessageWriter.WriteMaxData(buffer.AsSpan(length), 5000);
        length += ControlMessageWriter.WriteMaxStreams(buffer.AsSpan(length), 200);
        length += ControlMessageWriter.WriteClose(buffer.AsSpan(length), ProtocolErrorCode.ShuttingDown, "bye"u8);
        var kinds = new List<ControlMessageKind>();

        var reader = new ControlMessageReader(buffer.AsSpan(0, length));
        while (reader.TryRead(out ControlMessage message))
        {
            kinds.Add(message.Kind);
        }

        Assert.Equal([ControlMessageKind.Ping, ControlMessageKind.Ack, ControlMessageKind.MaxData, ControlMessageKind.MaxStreams, ControlMessageKind.Close], kinds);
        Assert.Equal(length, reader.BytesConsumed);
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void TryRead_AnyValidAckRanges_RoundTrip()
    {
        AckRanges.Select(Gen.ULong[0, Varint.MaxValue]).Sample((ranges, delay) =>
        {
            byte[] buffer = new byte[ControlMessageWriter.MaxAckSize];
            int written = ControlMessageWriter.WriteAck(buffer, ranges, delay);

            var reader = new ControlMessageReader(buffer.AsSpan(0, written));
            Assert.True(reader.TryRead(out ControlMessage message));

            Assert.Equal(ControlMessageWriter.GetAckSize(ranges, delay), written);
            Assert.Equal(ranges[0].End, message.Largest);
            Assert.Equal(delay, message.AckDelayMicroseconds);
            Assert.Equal(ranges.Length, message.AckRangeCount);
            Assert.Equal(ranges, Ranges(message));
            Assert.Equal(written, reader.BytesConsumed);
            Assert.False(reader.TryRead(out _));
        });
    }

    [Fact]
    public void TryRead_AnyBytes_ThrowsProtocolViolationOrReadsCanonicalMessages()
    {
        Gen<byte[]> plaintext = Gen.OneOf(
            Gen.Byte.Array[0, 40],
            Gen.Byte[0, 6].SelectMany(kind => Gen.Byte.Array[0, 30].Select(rest => (byte[])[kind, .. rest])));

        plaintext.Sample(bytes =>
        {
            byte[] reencoded = new byte[bytes.Length];
            int reencodedLength = 0;
            try
            {
                var reader = new ControlMessageReader(bytes);
                while (reader.TryRead(out ControlMessage message))
                {
                    reencodedLength += Reencode(message, reencoded.AsSpan(reencodedLength));
                    Assert.Equal(reader.BytesConsumed, reencodedLength);
                }
            }
            catch (ProtocolViolationException e)
            {
                Assert.True(e.ErrorCode is ProtocolErrorCode.ProtocolViolation or ProtocolErrorCode.FrameSizeError);
                return;
            }

            Assert.Equal(bytes, reencoded);
        }, iter: 5000);
    }

    [Fact]
    public void TryRead_AckAndClose_AllocateNothing()
    {
        byte[] buffer = new byte[128];
        int length = ControlMessageWriter.WriteAck(buffer, [new SequenceRange(90, 100), new SequenceRange(10, 50)], 7);
        length += ControlMessageWriter.WriteClose(buffer.AsSpan(length), ProtocolErrorCode.NoError, "done"u8);
        ulong sum = ReadSum(buffer.AsSpan(0, length));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sum += ReadSum(buffer.AsSpan(0, length));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0UL, sum);

        static ulong ReadSum(ReadOnlySpan<byte> plaintext)
        {
            ulong total = 0;
            var reader = new ControlMessageReader(plaintext);
            while (reader.TryRead(out ControlMessage message))
            {
                foreach (SequenceRange range in message.AckRanges)
                {
                    total += range.End - range.Start;
                }

                total += (ulong)message.Reason.Length;
            }

            return total;
        }
    }

    /// <summary>1 to 64 valid ranges, largest first, with small and large gaps and lengths.</summary>
    internal static readonly Gen<SequenceRange[]> AckRanges =
        from bottom in Gen.OneOf(Gen.ULong[0, 3], Gen.ULong[0, 1UL << 40])
        from steps in Gen.Select(Gen.OneOf(Gen.ULong[0, 70], Gen.ULong[0, 1UL << 40]), Gen.OneOf(Gen.ULong[0, 70], Gen.ULong[0, 1UL << 40])).Array[1, 64]
        select BuildRanges(bottom, steps);

    internal static int Reencode(ControlMessage message, Span<byte> destination)
    {
        switch (message.Kind)
        {
            case ControlMessageKind.Ping:
                return ControlMessageWriter.WritePing(destination);
            case ControlMessageKind.MaxData:
                return ControlMessageWriter.WriteMaxData(destination, message.Value);
            case ControlMessageKind.MaxStreams:
                return ControlMessageWriter.WriteMaxStreams(destination, message.Value);
            case ControlMessageKind.Close:
                return ControlMessageWriter.WriteClose(destination, message.ErrorCode, message.Reason);
            default:
                Span<SequenceRange> ranges = stackalloc SequenceRange[ControlMessageWriter.MaxAckRanges];
                int count = 0;
                foreach (SequenceRange range in message.AckRanges)
                {
                    ranges[count++] = range;
                }

                return ControlMessageWriter.WriteAck(destination, ranges[..count], message.AckDelayMicroseconds);
        }
    }

    private static SequenceRange[] BuildRanges(ulong bottom, (ulong Length, ulong Gap)[] steps)
    {
        var ranges = new SequenceRange[steps.Length];
        ulong start = bottom;
        for (int i = 0; i < steps.Length; i++)
        {
            ulong end = start + steps[i].Length;
            ranges[steps.Length - 1 - i] = new SequenceRange(start, end);
            start = end + 2 + steps[i].Gap;
        }

        return ranges;
    }

    private static SequenceRange[] Ranges(ControlMessage message)
    {
        var ranges = new List<SequenceRange>();
        foreach (SequenceRange range in message.AckRanges)
        {
            ranges.Add(range);
        }

        return [.. ranges];
    }

    private static ControlMessage ReadSingle(byte[] plaintext) => ReadSingle(plaintext.AsSpan());

    private static ControlMessage ReadSingle(ReadOnlySpan<byte> plaintext)
    {
        var reader = new ControlMessageReader(plaintext);
        Assert.True(reader.TryRead(out ControlMessage message));
        Assert.False(reader.TryRead(out _));
        Assert.Equal(plaintext.Length, reader.BytesConsumed);
        return message;
    }

    private static void ReadAll(byte[] plaintext)
    {
        var reader = new ControlMessageReader(plaintext);
        while (reader.TryRead(out _))
        {
        }
    }

    private static void AssertViolation(byte[] plaintext, ProtocolErrorCode expected)
    {
        ProtocolViolationException e = Assert.Throws<ProtocolViolationException>(() => ReadAll(plaintext));
        Assert.Equal(expected, e.ErrorCode);
    }
}

using CsCheck;
using Stt.Protocol.Encoding;
using Xunit;

namespace Stt.Protocol.Tests.Encoding;

public sealed class StreamControlMessageReaderTests
{
    public static TheoryData<string, string> WellFormedMessages => new()
    {
        { "RESET_STREAM", "01050F" },
        { "RESET_STREAM, wide fields", "01C00000004000000080040000" },
        { "STOP_SENDING", "0280004000" },
        { "MAX_STREAM_DATA", "0380040000" },
        { "DISCARD", "0480010000" },
        { "DISCARD, wide offset", "04C000000100000000" },
    };

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(7UL, 262_144UL)]
    [InlineData(Varint.MaxValue, Varint.MaxValue)]
    public void TryRead_ResetStream_RoundTrips(ulong errorCode, ulong finalSize)
    {
        byte[] buffer = new byte[ControlMessageWriter.MaxResetStreamSize];
        int written = ControlMessageWriter.WriteResetStream(buffer, errorCode, finalSize);

        StreamControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(StreamControlMessageKind.ResetStream, message.Kind);
        Assert.Equal(errorCode, message.ApplicationErrorCode);
        Assert.Equal(finalSize, message.FinalSize);
        Assert.Equal(0UL, message.Value);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(64UL)]
    [InlineData(Varint.MaxValue)]
    public void TryRead_StopSending_RoundTrips(ulong errorCode)
    {
        byte[] buffer = new byte[ControlMessageWriter.MaxSingleValueMessageSize];
        int written = ControlMessageWriter.WriteStopSending(buffer, errorCode);

        StreamControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(StreamControlMessageKind.StopSending, message.Kind);
        Assert.Equal(errorCode, message.ApplicationErrorCode);
        Assert.Equal(0UL, message.FinalSize);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(262_144UL)]
    [InlineData(Varint.MaxValue)]
    public void TryRead_MaxStreamData_RoundTrips(ulong maximum)
    {
        byte[] buffer = new byte[ControlMessageWriter.MaxSingleValueMessageSize];
        int written = ControlMessageWriter.WriteMaxStreamData(buffer, maximum);

        StreamControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(StreamControlMessageKind.MaxStreamData, message.Kind);
        Assert.Equal(maximum, message.Value);
        Assert.Equal(0UL, message.ApplicationErrorCode);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(65_536UL)]
    [InlineData(Varint.MaxValue)]
    public void TryRead_Discard_RoundTrips(ulong offset)
    {
        byte[] buffer = new byte[ControlMessageWriter.MaxSingleValueMessageSize];
        int written = ControlMessageWriter.WriteDiscard(buffer, offset);

        StreamControlMessage message = ReadSingle(buffer[..written]);

        Assert.Equal(1 + Varint.GetEncodedLength(offset), written);
        Assert.Equal(StreamControlMessageKind.Discard, message.Kind);
        Assert.Equal(offset, message.Offset);
        Assert.Equal(0UL, message.Value);
        Assert.Equal(0UL, message.FinalSize);
    }

    [Fact]
    public void WriteDiscard_DestinationTooSmall_WritesNothing()
    {
        byte[] buffer = new byte[4];

        Assert.Equal(0, ControlMessageWriter.WriteDiscard(buffer, 1UL << 20));
        Assert.Equal(5, ControlMessageWriter.WriteDiscard(new byte[5], 1UL << 20));
    }

    [Fact]
    public void TryRead_SeveralMessages_ReadsThemInOrder()
    {
        byte[] plaintext = Convert.FromHexString("0280004000" + "0380040000" + "01050F");
        var kinds = new List<StreamControlMessageKind>();

        var reader = new StreamControlMessageReader(plaintext);
        while (reader.TryRead(out StreamControlMessage message))
        {
            kinds.Add(message.Kind);
        }

        Assert.Equal([StreamControlMessageKind.StopSending, StreamControlMessageKind.MaxStreamData, StreamControlMessageKind.ResetStream], kinds);
        Assert.Equal(plaintext.Length, reader.BytesConsumed);
    }

    [Theory]
    [MemberData(nameof(WellFormedMessages))]
    public void TryRead_EveryTruncationOfMessage_ThrowsProtocolViolation(string name, string hex)
    {
        Assert.NotNull(name);
        byte[] message = Convert.FromHexString(hex);
        byte[] afterOther = [0x02, 0x00, .. message];
        ReadAll(message);
        ReadAll(afterOther);

        for (int length = 0; length < message.Length; length++)
        {
            AssertViolation(message[..length]);
            if (length > 0)
            {
                AssertViolation(afterOther[..(2 + length)]);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("04")]
    [InlineData("05")]
    [InlineData("044001")]
    [InlineData("FF")]
    [InlineData("020000")]
    [InlineData("024005")]
    [InlineData("01004000")]
    [InlineData("03C000000000000001")]
    public void TryRead_EmptyUnknownTrailingOrNonMinimal_ThrowsProtocolViolation(string hex)
    {
        AssertViolation(Convert.FromHexString(hex));
    }

    [Fact]
    public void TryRead_AnyBytes_ThrowsProtocolViolationOrReadsCanonicalMessages()
    {
        Gen.Byte[0, 5].SelectMany(kind => Gen.Byte.Array[0, 20].Select(rest => (byte[])[kind, .. rest])).Sample(bytes =>
        {
            byte[] reencoded = new byte[bytes.Length + ControlMessageWriter.MaxResetStreamSize];
            int length = 0;
            try
            {
                var reader = new StreamControlMessageReader(bytes);
                while (reader.TryRead(out StreamControlMessage message))
                {
                    length += message.Kind switch
                    {
                        StreamControlMessageKind.ResetStream => ControlMessageWriter.WriteResetStream(reencoded.AsSpan(length), message.ApplicationErrorCode, message.FinalSize),
                        StreamControlMessageKind.StopSending => ControlMessageWriter.WriteStopSending(reencoded.AsSpan(length), message.ApplicationErrorCode),
                        StreamControlMessageKind.Discard => ControlMessageWriter.WriteDiscard(reencoded.AsSpan(length), message.Offset),
                        _ => ControlMessageWriter.WriteMaxStreamData(reencoded.AsSpan(length), message.Value),
                    };
                }
            }
            catch (ProtocolViolationException e)
            {
                Assert.Equal(ProtocolErrorCode.ProtocolViolation, e.ErrorCode);
                return;
            }

            Assert.Equal(bytes, reencoded[..length]);
        }, iter: 3000);
    }

    private static StreamControlMessage ReadSingle(byte[] plaintext)
    {
        var reader = new StreamControlMessageReader(plaintext);
        Assert.True(reader.TryRead(out StreamControlMessage message));
        Assert.False(reader.TryRead(out _));
        Assert.Equal(plaintext.Length, reader.BytesConsumed);
        return message;
    }

    private static void ReadAll(byte[] plaintext)
    {
        var reader = new StreamControlMessageReader(plaintext);
        while (reader.TryRead(out _))
        {
        }
    }

    private static void AssertViolation(byte[] plaintext)
    {
        ProtocolViolationException e = Assert.Throws<ProtocolViolationException>(() => ReadAll(plaintext));
        Assert.Equal(ProtocolErrorCode.ProtocolViolation, e.ErrorCode);
    }
}

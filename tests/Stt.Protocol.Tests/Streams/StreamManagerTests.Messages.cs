using System.Buffers;
using System.Security.Cryptography;
using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    [Fact]
    public void ReadMessage_FiveMegabyteMessageInManyChunks_ReassembledByteExact()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] message = Bytes(5 * 1024 * 1024, seed: 7);
        byte[] stream = Framed(message);
        var writer = new ArrayBufferWriter<byte>();
        StreamReadStatus status = StreamReadStatus.Pending;
        int length = 0;
        int chunks = 0;

        for (int offset = 0; offset < stream.Length; offset += 1200, chunks++)
        {
            int count = Math.Min(1200, stream.Length - offset);
            manager.OnData(1, (ulong)offset, stream.AsSpan(offset, count), offset + count == stream.Length);
            status = manager.ReadMessage(1, writer, out length);
            Assert.True(status == StreamReadStatus.Pending || offset + count == stream.Length);
        }

        Assert.True(chunks > 4000);
        Assert.Equal(StreamReadStatus.Success, status);
        Assert.Equal(message.Length, length);
        Assert.Equal(SHA256.HashData(message), SHA256.HashData(writer.WrittenSpan));
        Assert.Equal(StreamReadStatus.EndOfStream, manager.ReadMessage(1, writer, out _));
        Assert.Equal(0, manager.ReceiveBufferedBytes);
    }

    [Fact]
    public void ReadMessage_PartlyArrived_HeldOutsideTheWindowSoCreditKeepsFlowing()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] stream = Framed(Bytes(400_000, seed: 8));

        manager.OnData(1, 0, stream.AsSpan(0, 262_144), fin: false);
        StreamReadStatus status = manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _);

        Assert.Equal(StreamReadStatus.Pending, status);
        Assert.Equal([StreamControlItem.MaxStreamData(1, 262_144 + 262_144)], DrainControl(manager));
        Assert.Equal(262_144 - 4, manager.ReceiveBufferedBytes);
    }

    [Fact]
    public void ReadMessage_SeveralMessagesInOneChunk_ReturnsEachThenEndOfStream()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[][] messages = [Bytes(5, seed: 1), [], Bytes(70, seed: 2), Bytes(20_000, seed: 3)];
        byte[] stream = [.. messages.SelectMany(Framed)];
        manager.OnData(1, 0, stream, fin: true);

        var received = new List<byte[]>();
        StreamReadStatus status;
        while (true)
        {
            byte[] body = ReadMessageBytes(manager, 1, out status);
            if (status != StreamReadStatus.Success)
            {
                break;
            }

            received.Add(body);
        }

        Assert.Equal(messages, received);
        Assert.Equal(StreamReadStatus.EndOfStream, status);
    }

    [Fact]
    public void ReadMessage_PrefixSplitAcrossChunks_WaitsForTheWholePrefix()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] message = Bytes(20_000, seed: 9);
        byte[] stream = Framed(message);

        manager.OnData(1, 0, stream.AsSpan(0, 1), fin: false);
        byte[] none = ReadMessageBytes(manager, 1, out StreamReadStatus first);
        manager.OnData(1, 1, stream.AsSpan(1), fin: false);
        byte[] whole = ReadMessageBytes(manager, 1, out StreamReadStatus second);

        Assert.Equal(StreamReadStatus.Pending, first);
        Assert.Empty(none);
        Assert.Equal(StreamReadStatus.Success, second);
        Assert.Equal(message, whole);
    }

    [Fact]
    public void ReadMessage_LengthAboveMaxMessageLength_ThrowsFrameSizeErrorBeforeBuffering()
    {
        using var manager = new StreamManager(SessionRole.Responder, new StreamOptions { MaxMessageLength = 1000 });
        manager.OnData(1, 0, Framed(new byte[1001]).AsSpan(0, 10), fin: false);

        Assert.Equal(
            ProtocolErrorCode.FrameSizeError,
            ViolationCode(() => manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _)));
    }

    [Fact]
    public void ReadMessage_StreamEndsInsideMessage_ThrowsFrameSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, Framed(new byte[100]).AsSpan(0, 50), fin: true);

        Assert.Equal(
            ProtocolErrorCode.FrameSizeError,
            ViolationCode(() => manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _)));
    }

    [Fact]
    public void ReadMessage_StreamEndsInsidePrefix_ThrowsFrameSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, [0x40], fin: true);

        Assert.Equal(
            ProtocolErrorCode.FrameSizeError,
            ViolationCode(() => manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _)));
    }

    [Fact]
    public void ReadMessage_NonMinimalLengthPrefix_ThrowsProtocolViolation()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, [0x40, 0x05, 1, 2, 3, 4, 5], fin: false);

        Assert.Equal(
            ProtocolErrorCode.ProtocolViolation,
            ViolationCode(() => manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _)));
    }

    [Fact]
    public void Read_WhileMessageHalfReassembled_ThrowsInvalidOperation()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, Framed(new byte[100]).AsSpan(0, 50), fin: false);
        manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _);

        Assert.Throws<InvalidOperationException>(() => manager.Read(1, new byte[10], out _));
    }

    [Fact]
    public void ReadMessage_PeerResetMidMessage_ReturnsResetAndFreesTheMessage()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, Framed(new byte[100_000]).AsSpan(0, 50_000), fin: false);
        manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _);

        manager.OnResetStream(1, 3, 60_000);

        Assert.Equal(0, manager.ReceiveBufferedBytes);
        Assert.Equal(StreamReadStatus.Reset, manager.ReadMessage(1, new ArrayBufferWriter<byte>(), out _));
    }
}

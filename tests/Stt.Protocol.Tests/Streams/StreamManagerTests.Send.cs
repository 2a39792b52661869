using Stt.Protocol.Encoding;
using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    private static readonly StreamOptions SmallBuffer = new() { SendBufferLimit = 1000 };

    [Fact]
    public void Write_MoreThanSendBufferLimit_AcceptsOnlyTheLimit()
    {
        using var manager = new StreamManager(SessionRole.Initiator, SmallBuffer);
        int streamId = Open(manager);

        StreamWriteStatus first = manager.Write(streamId, new byte[1500], out int written);
        StreamWriteStatus second = manager.Write(streamId, new byte[10], out int none);

        Assert.Equal(StreamWriteStatus.Success, first);
        Assert.Equal(1000, written);
        Assert.Equal(StreamWriteStatus.BufferFull, second);
        Assert.Equal(0, none);
        Assert.Equal(1000, manager.SendBufferedBytes);
    }

    [Fact]
    public void Write_SentButUnacknowledged_StillCountsAgainstLimit()
    {
        using var manager = new StreamManager(SessionRole.Initiator, SmallBuffer);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[1000], out _);
        while (TryTakeData(manager, 300, out _, out _))
        {
        }

        Assert.Equal(StreamWriteStatus.BufferFull, manager.Write(streamId, new byte[1], out _));
        Assert.Empty(DrainEvents(manager));
    }

    [Fact]
    public void OnDataAcked_AfterShortWrite_FreesSpaceAndSignalsWritable()
    {
        using var manager = new StreamManager(SessionRole.Initiator, SmallBuffer);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[1200], out _);
        Assert.True(TryTakeData(manager, 401, out StreamChunk chunk, out _));

        manager.OnDataAcked(streamId, chunk.Offset, chunk.Length, chunk.Fin);

        Assert.Equal([new StreamEvent(StreamEventKind.Writable, streamId)], DrainEvents(manager));
        Assert.Equal(600, manager.SendBufferedBytes);
        Assert.Equal(StreamWriteStatus.Success, manager.Write(streamId, new byte[500], out int written));
        Assert.Equal(400, written);
    }

    [Fact]
    public void OnDataAcked_OutOfOrder_FreesOnlyTheContiguousPrefix()
    {
        using var manager = new StreamManager(SessionRole.Initiator, SmallBuffer);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[900], out _);
        var chunks = new List<StreamChunk>();
        while (TryTakeData(manager, 302, out StreamChunk chunk, out _))
        {
            chunks.Add(chunk);
        }

        manager.OnDataAcked(streamId, chunks[2].Offset, chunks[2].Length, chunks[2].Fin);
        long afterThird = manager.SendBufferedBytes;
        manager.OnDataAcked(streamId, chunks[1].Offset, chunks[1].Length, chunks[1].Fin);
        long afterSecond = manager.SendBufferedBytes;
        manager.OnDataAcked(streamId, chunks[0].Offset, chunks[0].Length, chunks[0].Fin);

        Assert.Equal([0UL, 301UL, 601UL], chunks.Select(c => c.Offset));
        Assert.Equal(900, afterThird);
        Assert.Equal(900, afterSecond);
        Assert.Equal(0, manager.SendBufferedBytes);
    }

    [Fact]
    public void TryGetNextData_LostRange_SentAgainBeforeNewData()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        byte[] data = Bytes(1000, seed: 3);
        manager.Write(streamId, data, out _);
        Assert.True(TryTakeData(manager, 202, out StreamChunk first, out _));
        Assert.True(TryTakeData(manager, 202, out StreamChunk second, out _));

        manager.OnDataLost(streamId, first.Offset, first.Length, first.Fin);
        Assert.True(TryTakeData(manager, 202, out StreamChunk resent, out byte[] resentBytes));
        Assert.True(TryTakeData(manager, 202, out StreamChunk next, out _));

        Assert.Equal(new StreamChunk(streamId, 0, 201, Fin: false, IsRetransmission: true), resent);
        Assert.Equal(data.AsSpan(0, 201).ToArray(), resentBytes);
        Assert.Equal(new StreamChunk(streamId, 201, 200, Fin: false, IsRetransmission: false), second);
        Assert.Equal(new StreamChunk(streamId, 401, 200, Fin: false, IsRetransmission: false), next);
    }

    [Fact]
    public void OnDataLost_PartlyAcknowledgedElsewhere_ResendsOnlyTheGaps()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[600], out _);
        Assert.True(TryTakeData(manager, 602, out StreamChunk all, out _));
        manager.OnDataAcked(streamId, 100, 100, fin: false);
        manager.OnDataAcked(streamId, 300, 200, fin: false);

        manager.OnDataLost(streamId, all.Offset, all.Length, all.Fin);
        var resent = new List<(ulong, int)>();
        while (TryTakeData(manager, 602, out StreamChunk chunk, out _))
        {
            resent.Add((chunk.Offset, chunk.Length));
        }

        Assert.Equal([(0UL, 100), (200UL, 100), (500UL, 100)], resent);
    }

    [Fact]
    public void OnDataLost_ThenAcknowledgedBeforeResend_NotResent()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[100], out _);
        Assert.True(TryTakeData(manager, 200, out StreamChunk chunk, out _));

        manager.OnDataLost(streamId, chunk.Offset, chunk.Length, chunk.Fin);
        manager.OnDataAcked(streamId, chunk.Offset, chunk.Length, chunk.Fin);

        Assert.False(TryTakeData(manager, 200, out _, out _));
        Assert.Equal(0, manager.SendBufferedBytes);
    }

    [Fact]
    public void TryGetNextData_ThreeBusyStreams_TakesTurnsRoundRobin()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        int a = Open(manager);
        int b = Open(manager);
        int c = Open(manager);
        manager.Write(a, new byte[10_000], out _);
        manager.Write(b, new byte[10_000], out _);
        manager.Write(c, new byte[10_000], out _);

        var order = new List<int>();
        for (int i = 0; i < 9; i++)
        {
            Assert.True(TryTakeData(manager, 500, out StreamChunk chunk, out _));
            order.Add(chunk.StreamId);
        }

        Assert.Equal([2, 4, 6, 2, 4, 6, 2, 4, 6], order);
    }

    [Fact]
    public void TryGetNextData_PeerStreamCreditExhausted_BlocksUntilMaxStreamData()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[300_000], out _);
        ulong sent = 0;
        while (TryTakeData(manager, 16_000, out StreamChunk chunk, out _))
        {
            sent += (ulong)chunk.Length;
        }

        manager.OnMaxStreamData(streamId, 270_000);
        Assert.True(TryTakeData(manager, 16_000, out StreamChunk more, out _));

        Assert.Equal(262_144UL, sent);
        Assert.Equal(new StreamChunk(streamId, 262_144, 270_000 - 262_144, Fin: false, IsRetransmission: false), more);
        Assert.False(TryTakeData(manager, 16_000, out _, out _));
    }

    [Fact]
    public void TryGetNextData_SessionCreditExhausted_BlocksUntilMaxData()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        var streams = new int[5];
        for (int i = 0; i < streams.Length; i++)
        {
            streams[i] = Open(manager);
            manager.Write(streams[i], new byte[262_144], out _);
        }

        ulong sent = 0;
        while (TryTakeData(manager, 16_000, out StreamChunk chunk, out _))
        {
            sent += (ulong)chunk.Length;
        }

        Assert.Equal(1_048_576UL, sent);
        Assert.Equal(0UL, manager.SessionSendCredit);

        manager.OnMaxData(1_048_576 + 100);
        Assert.True(TryTakeData(manager, 16_000, out StreamChunk more, out _));
        Assert.Equal(100, more.Length);
    }

    [Fact]
    public void TryGetNextData_Payload_LeavesRoomForOffsetVarintAndFitsBudget()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        byte[] data = Bytes(20_000, seed: 4);
        manager.Write(streamId, data, out _);
        var payload = new byte[1000];

        Assert.True(manager.TryGetNextData(payload, out StreamChunk first));
        Assert.True(manager.TryGetNextData(payload, out StreamChunk second));

        Assert.Equal(1, first.DataStart);
        Assert.Equal(999, first.Length);
        Assert.Equal(1000, first.PayloadLength);
        Assert.Equal(2, second.DataStart);
        Assert.Equal(998, second.Length);
        Assert.Equal(data.AsSpan(999, 998).ToArray(), payload.AsSpan(2, 998).ToArray());
        Assert.Equal(Varint.GetEncodedLength(second.Offset), second.DataStart);
    }

    [Fact]
    public void Finish_AfterAllDataSent_SendsFinOnlyChunkAndResendsItWhenLost()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[10], out _);
        Assert.True(TryTakeData(manager, 100, out StreamChunk data, out _));

        manager.Finish(streamId);
        Assert.True(TryTakeData(manager, 100, out StreamChunk fin, out _));
        manager.OnDataLost(streamId, fin.Offset, fin.Length, fin.Fin);
        Assert.True(TryTakeData(manager, 100, out StreamChunk again, out _));

        Assert.Equal(new StreamChunk(streamId, 10, 0, Fin: true, IsRetransmission: false), fin);
        Assert.Equal(new StreamChunk(streamId, 10, 0, Fin: true, IsRetransmission: true), again);
        Assert.False(data.Fin);
    }

    [Fact]
    public void Finish_BeforeDataSent_FinRidesOnLastChunk()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[150], out _);
        manager.Finish(streamId);

        Assert.True(TryTakeData(manager, 102, out StreamChunk first, out _));
        Assert.True(TryTakeData(manager, 102, out StreamChunk last, out _));

        Assert.False(first.Fin);
        Assert.Equal(new StreamChunk(streamId, 101, 49, Fin: true, IsRetransmission: false), last);
        Assert.False(TryTakeData(manager, 102, out _, out _));
        Assert.Throws<InvalidOperationException>(() => manager.Write(streamId, [1], out _));
    }

    [Fact]
    public void OnDataAcked_RangeNeverSent_ThrowsArgumentOutOfRange()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[10], out _);

        Assert.Throws<ArgumentOutOfRangeException>(() => manager.OnDataAcked(streamId, 0, 10, fin: false));
    }

    [Fact]
    public void WriteMessage_DoesNotFitNow_QueuesNothingAndSignalsWritableOnlyWhenItFits()
    {
        using var manager = new StreamManager(SessionRole.Initiator, SmallBuffer);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[700], out _);
        var chunks = new List<StreamChunk>();
        while (TryTakeData(manager, 101, out StreamChunk chunk, out _))
        {
            chunks.Add(chunk);
        }

        StreamWriteStatus status = manager.WriteMessage(streamId, new byte[400]);
        manager.OnDataAcked(streamId, chunks[0].Offset, chunks[0].Length, chunks[0].Fin);
        List<StreamEvent> tooSmall = DrainEvents(manager);
        manager.OnDataAcked(streamId, chunks[1].Offset, chunks[1].Length, chunks[1].Fin);
        List<StreamEvent> enough = DrainEvents(manager);

        Assert.Equal(StreamWriteStatus.BufferFull, status);
        Assert.Empty(tooSmall);
        Assert.Equal([new StreamEvent(StreamEventKind.Writable, streamId)], enough);
        Assert.Equal(StreamWriteStatus.Success, manager.WriteMessage(streamId, new byte[400]));
        Assert.Equal(700 - chunks[0].Length - chunks[1].Length + 402, manager.SendBufferedBytes);
    }

    [Fact]
    public void WriteMessage_LargerThanSendBuffer_ThrowsAndBeginMessageSendsItInPieces()
    {
        using var sender = new StreamManager(SessionRole.Initiator, SmallBuffer);
        using var receiver = new StreamManager(SessionRole.Responder);
        int streamId = Open(sender);
        byte[] message = Bytes(5000, seed: 5);

        Assert.Throws<ArgumentOutOfRangeException>(() => sender.WriteMessage(streamId, message));
        Assert.Equal(StreamWriteStatus.Success, sender.BeginMessage(streamId, message.Length));
        Assert.Throws<InvalidOperationException>(() => sender.WriteMessage(streamId, [1]));
        Assert.Throws<InvalidOperationException>(() => sender.Finish(streamId));

        int written = 0;
        byte[] received = [];
        StreamReadStatus status = StreamReadStatus.Pending;
        while (status != StreamReadStatus.Success)
        {
            sender.Write(streamId, message.AsSpan(written), out int accepted);
            written += accepted;
            Flush(sender, receiver);
            received = ReadMessageBytes(receiver, streamId, out status);
        }

        Assert.Equal(message.Length, written);
        Assert.Equal(message, received);
    }

    [Fact]
    public void WriteMessage_AboveMaxMessageLength_Throws()
    {
        using var manager = new StreamManager(SessionRole.Initiator, new StreamOptions { MaxMessageLength = 10 });
        int streamId = Open(manager);

        Assert.Throws<ArgumentOutOfRangeException>(() => manager.WriteMessage(streamId, new byte[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => manager.BeginMessage(streamId, 11));
    }
}

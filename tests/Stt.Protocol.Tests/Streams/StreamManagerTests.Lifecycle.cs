using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    [Fact]
    public void StreamStates_FullExchange_GoCreatedOpenClosingClosedAndLeaveTheTables()
    {
        using var local = new StreamManager(SessionRole.Initiator);
        using var peer = new StreamManager(SessionRole.Responder);
        int streamId = Open(local);
        var states = new List<StreamState> { local.GetState(streamId) };

        local.Write(streamId, [1, 2, 3], out _);
        Assert.True(TryTakeData(local, 100, out StreamChunk data, out byte[] bytes));
        states.Add(local.GetState(streamId));
        peer.OnData(streamId, data.Offset, bytes, data.Fin);
        local.OnDataAcked(streamId, data.Offset, data.Length, data.Fin);

        local.Finish(streamId);
        Assert.True(TryTakeData(local, 100, out StreamChunk fin, out _));
        states.Add(local.GetState(streamId));
        peer.OnData(streamId, fin.Offset, [], fin.Fin);
        local.OnDataAcked(streamId, fin.Offset, fin.Length, fin.Fin);
        states.Add(local.GetState(streamId));

        Assert.Equal([1, 2, 3], ReadAvailable(peer, streamId, out StreamReadStatus peerEnd));
        Assert.Equal(StreamReadStatus.EndOfStream, peerEnd);
        peer.Finish(streamId);
        Flush(peer, local);
        Assert.Empty(ReadAvailable(local, streamId, out StreamReadStatus localEnd));

        Assert.Equal([StreamState.Created, StreamState.Open, StreamState.Closing, StreamState.Closing], states);
        Assert.Equal(StreamReadStatus.EndOfStream, localEnd);
        Assert.Equal(StreamState.Closed, local.GetState(streamId));
        Assert.Equal(StreamState.Closed, peer.GetState(streamId));
        Assert.Equal(0, local.ActiveStreamCount);
        Assert.Equal(0, peer.ActiveStreamCount);
        Assert.False(local.TryGetStreamInfo(streamId, out _));
        Assert.Contains(new StreamEvent(StreamEventKind.Closed, streamId), DrainEvents(local));
        Assert.Contains(new StreamEvent(StreamEventKind.Closed, streamId), DrainEvents(peer));
        Assert.Throws<InvalidOperationException>(() => local.Write(streamId, [1], out _));
    }

    [Fact]
    public void StreamStates_FinSentButUnacknowledged_StaysClosing()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.OnData(streamId, 0, [], fin: true);
        ReadAvailable(manager, streamId, out _);
        manager.Finish(streamId);

        Assert.True(TryTakeData(manager, 100, out StreamChunk fin, out _));

        Assert.Equal(StreamState.Closing, manager.GetState(streamId));
        manager.OnDataAcked(streamId, fin.Offset, fin.Length, fin.Fin);
        Assert.Equal(StreamState.Closed, manager.GetState(streamId));
    }

    [Fact]
    public void Reset_WithUnsentData_QueuesResetStreamWithHighestSentOffsetAndDropsData()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[5000], out _);
        Assert.True(TryTakeData(manager, 1001, out StreamChunk first, out _));

        manager.Reset(streamId, 0x42);

        Assert.Equal([StreamControlItem.ResetStream(streamId, 0x42, 1000)], DrainControl(manager));
        Assert.False(TryTakeData(manager, 1000, out _, out _));
        Assert.Equal(0, manager.SendBufferedBytes);
        Assert.Equal(StreamState.Closing, manager.GetState(streamId));
        manager.OnDataLost(streamId, first.Offset, first.Length, first.Fin);
        Assert.False(TryTakeData(manager, 1000, out _, out _));
        Assert.Throws<InvalidOperationException>(() => manager.Write(streamId, [1], out _));
    }

    [Fact]
    public void OnControlLost_ResetStream_AlwaysRequeued()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Reset(streamId, 9);
        StreamControlItem reset = Assert.Single(DrainControl(manager));

        manager.OnControlLost(reset);

        Assert.Equal([reset], DrainControl(manager));
    }

    [Fact]
    public void OnStopSending_WritingStream_ResetsWithPeerCodeAndReportsAborted()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[300], out _);
        Assert.True(TryTakeData(manager, 201, out _, out _));

        manager.OnStopSending(streamId, 0x99);

        Assert.Equal([new StreamEvent(StreamEventKind.Stopped, streamId, 0x99)], DrainEvents(manager));
        Assert.Equal([StreamControlItem.ResetStream(streamId, 0x99, 200)], DrainControl(manager));
        Assert.Equal(StreamWriteStatus.Aborted, manager.Write(streamId, [1], out int written));
        Assert.Equal(0, written);
        Assert.True(manager.TryGetStreamInfo(streamId, out StreamInfo info));
        Assert.Equal(0x99UL, info.StopSendingErrorCode);
    }

    [Fact]
    public void OnStopSending_EverythingAcknowledged_Ignored()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[10], out _);
        manager.Finish(streamId);
        SendAndAcknowledgeAll(manager);

        manager.OnStopSending(streamId, 1);

        Assert.Empty(DrainControl(manager));
        Assert.DoesNotContain(DrainEvents(manager), e => e.Kind == StreamEventKind.Stopped);
    }

    [Fact]
    public void StopSendingAndReset_BothDirectionsAborted_StreamClosesOnBothSides()
    {
        using var initiator = new StreamManager(SessionRole.Initiator);
        using var responder = new StreamManager(SessionRole.Responder);
        int streamId = Open(initiator);
        initiator.Write(streamId, new byte[50_000], out _);
        Flush(initiator, responder, maxPayload: 10_000);
        DrainEvents(responder);

        responder.StopSending(streamId, 5);
        Flush(responder, initiator);
        Assert.Contains(new StreamEvent(StreamEventKind.Stopped, streamId, 5), DrainEvents(initiator));
        Flush(initiator, responder);
        responder.Reset(streamId, 6);
        Flush(responder, initiator);
        Assert.Equal(StreamReadStatus.Reset, initiator.Read(streamId, new byte[1], out _));

        Assert.Equal(0, initiator.ActiveStreamCount);
        Assert.Equal(0, responder.ActiveStreamCount);
        Assert.Equal(0, initiator.SendBufferedBytes);
        Assert.Equal(0, responder.ReceiveBufferedBytes);
    }

    [Fact]
    public void Dispose_WithBufferedData_ReturnsBuffersAndRefusesFurtherUse()
    {
        var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);
        manager.Write(streamId, new byte[100_000], out _);
        manager.OnData(2, 1000, new byte[5000], fin: false);

        manager.Dispose();

        Assert.Equal(0, manager.ActiveStreamCount);
        Assert.Throws<ObjectDisposedException>(() => manager.TryOpenStream(out _));
        Assert.Throws<ObjectDisposedException>(() => manager.OnData(2, 0, [1], fin: false));
    }
}

using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    private static readonly TimeSpan LiveDeadline = TimeSpan.FromMilliseconds(50);

    // Each 100-byte body goes out behind a 2-byte length prefix: messages are 102 bytes on the stream.
    private const int LiveMessageSize = 102;

    [Fact]
    public void LiveStream_LostWithinDeadline_IsRetransmitted()
    {
        var time = new FakeTimeProvider();
        using var sender = new StreamManager(SessionRole.Initiator, timeProvider: time);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        WriteLiveMessages(sender, streamId, 3);
        Assert.True(TryTakeData(sender, 1200, out StreamChunk sent, out _));

        time.Advance(TimeSpan.FromMilliseconds(49));
        sender.OnDataLost(streamId, sent.Offset, sent.Length, sent.Fin);

        Assert.Empty(DrainControl(sender));
        Assert.True(TryTakeData(sender, 1200, out StreamChunk again, out _));
        Assert.True(again.IsRetransmission);
        Assert.Equal((0UL, 3 * LiveMessageSize), (again.Offset, again.Length));
        Assert.Equal(0, sender.MessagesDiscarded);
    }

    [Fact]
    public void LiveStream_LostPastDeadline_DiscardsToTheNextBoundaryAndRetransmitsTheRest()
    {
        var time = new FakeTimeProvider();
        using var sender = new StreamManager(SessionRole.Initiator, timeProvider: time);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        WriteLiveMessages(sender, streamId, 1);
        time.Advance(TimeSpan.FromMilliseconds(30));
        WriteLiveMessages(sender, streamId, 1);
        Assert.True(TryTakeData(sender, 1200, out StreamChunk sent, out _));
        Assert.Equal(2 * LiveMessageSize, sent.Length);

        time.Advance(TimeSpan.FromMilliseconds(30));
        sender.OnDataLost(streamId, sent.Offset, sent.Length, sent.Fin);

        Assert.Equal([StreamControlItem.Discard(streamId, LiveMessageSize)], DrainControl(sender));
        Assert.True(TryTakeData(sender, 1200, out StreamChunk again, out _));
        Assert.Equal(((ulong)LiveMessageSize, LiveMessageSize), (again.Offset, again.Length));
        Assert.False(TryTakeData(sender, 1200, out _, out _));
        Assert.Equal(1, sender.MessagesDiscarded);
        Assert.Equal(LiveMessageSize, sender.BytesDiscarded);
        Assert.Equal(LiveMessageSize, sender.SendBufferedBytes);
    }

    [Fact]
    public void LiveStream_ExpiredNeverSent_SkipsToFreshDataAndUsesTheCredit()
    {
        var time = new FakeTimeProvider();
        using var sender = new StreamManager(SessionRole.Initiator, timeProvider: time);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        WriteLiveMessages(sender, streamId, 2);
        time.Advance(TimeSpan.FromMilliseconds(50));
        WriteLiveMessages(sender, streamId, 1);

        Assert.True(TryTakeData(sender, 1200, out StreamChunk chunk, out _));

        Assert.Equal((2UL * LiveMessageSize, LiveMessageSize), (chunk.Offset, chunk.Length));
        Assert.False(chunk.IsRetransmission);
        Assert.Equal([StreamControlItem.Discard(streamId, 2 * LiveMessageSize)], DrainControl(sender));
        Assert.Equal(2, sender.MessagesDiscarded);
        Assert.Equal(2 * LiveMessageSize, sender.BytesDiscarded);
        Assert.Equal((ulong)(StreamOptions.InitialSessionWindow - (3 * LiveMessageSize)), sender.SessionSendCredit);
    }

    [Fact]
    public void LiveStream_DiscardLostThenSuperseded_OnlyTheLatestIsSentAgain()
    {
        var time = new FakeTimeProvider();
        using var sender = new StreamManager(SessionRole.Initiator, timeProvider: time);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        WriteLiveMessages(sender, streamId, 1);
        time.Advance(LiveDeadline);
        WriteLiveMessages(sender, streamId, 1);
        Assert.True(TryTakeData(sender, 1200, out StreamChunk second, out _));
        StreamControlItem first = Assert.Single(DrainControl(sender));
        time.Advance(LiveDeadline);
        WriteLiveMessages(sender, streamId, 1);
        sender.OnDataLost(streamId, second.Offset, second.Length, second.Fin);
        Assert.True(TryTakeData(sender, 1200, out StreamChunk third, out _));

        sender.OnControlLost(first);

        Assert.Equal(StreamControlItem.Discard(streamId, LiveMessageSize), first);
        Assert.Equal([StreamControlItem.Discard(streamId, 2 * LiveMessageSize)], DrainControl(sender));
        Assert.Equal((2UL * LiveMessageSize, false), (third.Offset, third.IsRetransmission));
    }

    [Fact]
    public void LiveStream_FinishedAndAcknowledged_ClosesOnlyOnceTheDiscardIsAcknowledged()
    {
        var time = new FakeTimeProvider();
        using var sender = new StreamManager(SessionRole.Initiator, timeProvider: time);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        sender.OnData(streamId, 0, [], fin: true);
        Assert.Equal(StreamReadStatus.EndOfStream, sender.Read(streamId, new byte[1], out _));
        WriteLiveMessages(sender, streamId, 1);
        time.Advance(LiveDeadline);
        WriteLiveMessages(sender, streamId, 1);
        sender.Finish(streamId);
        Assert.True(TryTakeData(sender, 1200, out StreamChunk chunk, out _));
        StreamControlItem discard = Assert.Single(DrainControl(sender));

        sender.OnDataAcked(streamId, chunk.Offset, chunk.Length, chunk.Fin);
        StreamState beforeDiscardAck = sender.GetState(streamId);
        sender.OnControlAcked(discard);

        Assert.True(chunk.Fin);
        Assert.Equal(StreamState.Closing, beforeDiscardAck);
        Assert.Equal(StreamState.Closed, sender.GetState(streamId));
        Assert.Equal(StreamControlItem.Discard(streamId, LiveMessageSize), discard);
    }

    [Fact]
    public void LiveStream_WriteOutsideAMessageBody_Throws()
    {
        using var sender = new StreamManager(SessionRole.Initiator);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        Assert.Equal(StreamWriteStatus.Success, sender.BeginMessage(streamId, 3));

        Assert.Throws<InvalidOperationException>(() => sender.Write(streamId, new byte[4], out _));
        Assert.Equal(StreamWriteStatus.Success, sender.Write(streamId, new byte[3], out int written));
        Assert.Equal(3, written);
        Assert.Throws<InvalidOperationException>(() => sender.Write(streamId, new byte[1], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.TryOpenLiveStream(out _, TimeSpan.Zero));
    }

    [Fact]
    public void OnDiscard_PartialMessageAndBufferedData_SkipsAndResumesAtAWholeMessage()
    {
        using var receiver = new StreamManager(SessionRole.Responder);
        byte[][] bodies = [.. Enumerable.Range(0, 4).Select(i => Bytes(100, 40 + i))];
        byte[] stream = [.. bodies.SelectMany(Framed)];
        receiver.OnData(1, 0, stream.AsSpan(0, 150), fin: false);
        receiver.OnData(1, 3 * LiveMessageSize, stream.AsSpan(3 * LiveMessageSize), fin: false);
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(StreamReadStatus.Success, receiver.ReadMessage(1, output, out _));
        Assert.Equal(StreamReadStatus.Pending, receiver.ReadMessage(1, output, out _));
        DrainEvents(receiver);

        receiver.OnDiscard(1, 3 * LiveMessageSize);

        Assert.Contains(new StreamEvent(StreamEventKind.Skipped, 1), DrainEvents(receiver));
        output.Clear();
        Assert.Equal(StreamReadStatus.Success, receiver.ReadMessage(1, output, out int length));
        Assert.Equal(bodies[3], output.WrittenSpan[..length].ToArray());
        Assert.Equal(2 * LiveMessageSize, receiver.BytesSkipped);

        receiver.OnData(1, LiveMessageSize, stream.AsSpan(LiveMessageSize, 2 * LiveMessageSize), fin: false);

        Assert.Equal(StreamReadStatus.Pending, receiver.ReadMessage(1, output, out _));
        Assert.Equal(0, receiver.ReceiveBufferedBytes);
        Assert.DoesNotContain(DrainEvents(receiver), e => e.Kind == StreamEventKind.Readable);
    }

    [Fact]
    public void OnDiscard_WholeMessageReceivedBeforeTheGap_IsStillDeliveredThenTheReaderSkips()
    {
        using var receiver = new StreamManager(SessionRole.Responder);
        byte[][] bodies = [.. Enumerable.Range(0, 3).Select(i => Bytes(100, 50 + i))];
        byte[] stream = [.. bodies.SelectMany(Framed)];
        receiver.OnData(1, 0, stream.AsSpan(0, LiveMessageSize), fin: false);
        receiver.OnData(1, 2 * LiveMessageSize, stream.AsSpan(2 * LiveMessageSize), fin: true);
        DrainEvents(receiver);

        receiver.OnDiscard(1, 2 * LiveMessageSize);

        Assert.Empty(DrainEvents(receiver));
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(StreamReadStatus.Success, receiver.ReadMessage(1, output, out int first));
        Assert.Equal(bodies[0], output.WrittenSpan[..first].ToArray());
        output.Clear();
        Assert.Equal(StreamReadStatus.Success, receiver.ReadMessage(1, output, out int last));
        Assert.Equal(bodies[2], output.WrittenSpan[..last].ToArray());
        Assert.Equal(StreamReadStatus.EndOfStream, receiver.ReadMessage(1, output, out _));
        Assert.Equal(LiveMessageSize, receiver.BytesSkipped);
        Assert.Contains(new StreamEvent(StreamEventKind.Skipped, 1), DrainEvents(receiver));
    }

    [Fact]
    public void OnDiscard_AtOrBelowTheReadPosition_IsIgnored()
    {
        using var receiver = new StreamManager(SessionRole.Responder);
        receiver.OnData(1, 0, Framed(Bytes(100, 1)), fin: false);
        Assert.Equal(StreamReadStatus.Success, receiver.ReadMessage(1, new ArrayBufferWriter<byte>(), out _));
        DrainEvents(receiver);

        receiver.OnDiscard(1, LiveMessageSize);
        receiver.OnDiscard(1, 0);

        Assert.Empty(DrainEvents(receiver));
        Assert.Equal(0, receiver.BytesSkipped);
    }

    [Fact]
    public void OnDiscard_NothingArrived_CreditsTheSkippedBytesBack()
    {
        using var receiver = new StreamManager(SessionRole.Responder);

        receiver.OnDiscard(1, 200_000);

        List<StreamControlItem> control = DrainControl(receiver);
        Assert.Contains(StreamControlItem.MaxStreamData(1, 200_000UL + StreamOptions.InitialStreamWindow), control);
        Assert.Equal(200_000, receiver.BytesSkipped);
        receiver.OnData(1, 200_000, Framed(Bytes(10, 2)), fin: false);
        Assert.Equal(StreamReadStatus.Success, receiver.ReadMessage(1, new ArrayBufferWriter<byte>(), out int length));
        Assert.Equal(10, length);
    }

    [Fact]
    public void OnDiscard_BeyondTheStreamLimit_IsFlowControlError()
    {
        using var receiver = new StreamManager(SessionRole.Responder);

        ProtocolViolationException e = Assert.Throws<ProtocolViolationException>(
            () => receiver.OnDiscard(1, StreamOptions.InitialStreamWindow + 1));

        Assert.Equal(ProtocolErrorCode.FlowControlError, e.ErrorCode);
    }

    [Fact]
    public void OnDiscard_BeyondTheFinalSize_IsFinalSizeError()
    {
        using var receiver = new StreamManager(SessionRole.Responder);
        receiver.OnData(1, 0, new byte[10], fin: true);

        ProtocolViolationException e = Assert.Throws<ProtocolViolationException>(() => receiver.OnDiscard(1, 11));

        Assert.Equal(ProtocolErrorCode.FinalSizeError, e.ErrorCode);
    }

    [Fact]
    public void LiveStream_LossyLoopback_DeliversWholeMessagesInOrderAndSkipsExpiredOnes()
    {
        var time = new FakeTimeProvider();
        using var sender = new StreamManager(SessionRole.Initiator, timeProvider: time);
        using var receiver = new StreamManager(SessionRole.Responder);
        Assert.True(sender.TryOpenLiveStream(out int streamId, LiveDeadline));
        var random = new Random(5);
        var received = new List<int>();
        var output = new ArrayBufferWriter<byte>();
        for (int index = 0; index < 200; index++)
        {
            byte[] body = BitConverter.GetBytes(index);
            Assert.Equal(StreamWriteStatus.Success, sender.WriteMessage(streamId, [.. body, .. new byte[96]]));
            time.Advance(TimeSpan.FromMilliseconds(10));
            foreach (StreamControlItem item in DrainControl(sender))
            {
                Apply(receiver, item);
                sender.OnControlAcked(item);
            }

            while (TryTakeData(sender, 300, out StreamChunk chunk, out byte[] data))
            {
                if (random.NextDouble() < 0.3)
                {
                    sender.OnDataLost(chunk.StreamId, chunk.Offset, chunk.Length, chunk.Fin);
                    break;
                }

                receiver.OnData(chunk.StreamId, chunk.Offset, data, chunk.Fin);
                sender.OnDataAcked(chunk.StreamId, chunk.Offset, chunk.Length, chunk.Fin);
            }

            while (receiver.ReadMessage(streamId, output, out int length) == StreamReadStatus.Success)
            {
                Assert.Equal(100, length);
                received.Add(BitConverter.ToInt32(output.WrittenSpan[..4]));
                output.Clear();
            }
        }

        Assert.True(sender.MessagesDiscarded > 0);
        Assert.True(receiver.BytesSkipped > 0);
        Assert.Equal(received.Order(), received);
        Assert.Equal(received.Count, received.Distinct().Count());
        Assert.Equal(200 - received.Count, sender.MessagesDiscarded + (sender.SendBufferedBytes / LiveMessageSize));
    }

    private static void WriteLiveMessages(StreamManager sender, int streamId, int count)
    {
        for (int index = 0; index < count; index++)
        {
            Assert.Equal(StreamWriteStatus.Success, sender.WriteMessage(streamId, Bytes(100, index)));
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using Stt.Protocol.Sessions;
using Stt.Protocol.Streams;
using Xunit;

namespace Stt.Protocol.Tests.Sessions;

/// <summary>Live-mode streams end to end (docs/protocol.md, section 11): a lossy link, a deadline, whole messages only.</summary>
public class SessionLiveStreamTests
{
    private const int MessageCount = 1000;
    private const int BodyLength = 112;
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void LiveStream_TwentyPercentLoss_DeliversWholeMessagesInOrderSkipsLateOnesAndBoundsTheSendBuffer()
    {
        // A 60 ms round trip against a 50 ms deadline: by the time a loss is detected its message is already late.
        var loss = new LinkImpairment { Loss = 0.2, Latency = TimeSpan.FromMilliseconds(30) };
        using var pair = new SessionPair(SessionOptions.Default, loss, loss, seed: 11);
        Assert.True(pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active));
        Assert.True(pair.Initiator.TryOpenLiveStream(out int liveId, Deadline));
        Assert.True(pair.Initiator.TryOpenStream(out int reliableId));
        var live = new Reader(liveId);
        var reliable = new Reader(reliableId);
        TimeSpan start = pair.Elapsed;
        int written = 0;
        long maxLiveBuffered = 0;
        var body = new byte[BodyLength];

        bool done = pair.Run(
            () => live.Ended && reliable.Ended,
            () =>
            {
                while (written < MessageCount && pair.Elapsed - start >= written * Interval)
                {
                    Fill(body, written, pair.Time.GetTimestamp());
                    Assert.Equal(StreamWriteStatus.Success, pair.Initiator.WriteMessage(liveId, body));
                    Assert.Equal(StreamWriteStatus.Success, pair.Initiator.WriteMessage(reliableId, body));
                    if (++written == MessageCount)
                    {
                        pair.Initiator.Finish(liveId);
                        pair.Initiator.Finish(reliableId);
                    }
                }

                if (pair.Initiator.TryGetStreamInfo(liveId, out StreamInfo info))
                {
                    maxLiveBuffered = Math.Max(maxLiveBuffered, info.SendBufferedBytes);
                }

                while (pair.Initiator.TryDequeueStreamEvent(out _))
                {
                }

                while (pair.Responder!.TryDequeueStreamEvent(out StreamEvent e))
                {
                    live.Opened |= e.StreamId == liveId;
                    reliable.Opened |= e.StreamId == reliableId;
                    live.Skips += e.Kind == StreamEventKind.Skipped && e.StreamId == liveId ? 1 : 0;
                    Assert.False(e.Kind == StreamEventKind.Skipped && e.StreamId == reliableId);
                }

                live.Pump(pair.Responder);
                reliable.Pump(pair.Responder);
            },
            maxVirtualTime: TimeSpan.FromMinutes(2),
            maxStep: Interval);

        SessionStatistics sent = pair.Initiator.Statistics;
        SessionStatistics received = pair.Responder!.Statistics;
        Assert.True(done, $"stalled at {pair.Elapsed}: live {live.Indexes.Count}, reliable {reliable.Indexes.Count}");
        Assert.Equal(Enumerable.Range(0, MessageCount), reliable.Indexes);
        Assert.Equal(live.Indexes.Order(), live.Indexes);
        Assert.Equal(live.Indexes.Count, live.Indexes.Distinct().Count());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"live delivered {live.Indexes.Count}, discarded {sent.MessagesDiscarded} ({sent.BytesDiscarded} B), skipped {received.BytesSkipped} B, skips {live.Skips}, buffer peak {maxLiveBuffered} B, {pair.Elapsed}");

        // A 60 ms round trip makes every lost message unrecoverable within 50 ms: about a fifth is the floor.
        Assert.InRange(live.Indexes.Count, MessageCount * 6 / 10, MessageCount - 1);
        Assert.True(live.Skips > 0);
        Assert.InRange(sent.MessagesDiscarded, 1, MessageCount - live.Indexes.Count);
        Assert.Equal((MessageCount - live.Indexes.Count) * (BodyLength + 2L), received.BytesSkipped);
        Assert.True(sent.BytesDiscarded > 0);

        // Everything the live stream buffers is at most a deadline's worth of messages plus what loss detection holds.
        Assert.True(maxLiveBuffered < 64 * (BodyLength + 1), $"live send buffer peaked at {maxLiveBuffered} bytes");
    }

    private static void Fill(byte[] body, int index, long timestamp)
    {
        BinaryPrimitives.WriteInt32LittleEndian(body, index);
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(4), timestamp);
        for (int i = 12; i < body.Length; i++)
        {
            body[i] = (byte)(index * 31 + i);
        }
    }

    private sealed class Reader(int streamId)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public List<int> Indexes { get; } = [];

        public int Skips { get; set; }

        public bool Opened { get; set; }

        public bool Ended { get; private set; }

        public void Pump(Session session)
        {
            if (!Opened)
            {
                return;
            }

            StreamReadStatus status;
            while ((status = session.ReadMessage(streamId, _buffer, out int length)) == StreamReadStatus.Success)
            {
                Assert.Equal(BodyLength, length);
                ReadOnlySpan<byte> body = _buffer.WrittenSpan;
                int index = BinaryPrimitives.ReadInt32LittleEndian(body);
                for (int i = 12; i < body.Length; i++)
                {
                    Assert.Equal((byte)(index * 31 + i), body[i]);
                }

                Indexes.Add(index);
                _buffer.Clear();
            }

            Ended |= status == StreamReadStatus.EndOfStream;
        }
    }
}

using System.Buffers;
using System.Security.Cryptography;
using Stt.Protocol.Protection;
using Stt.Protocol.Sessions;
using Stt.Protocol.Streams;
using Xunit;

namespace Stt.Protocol.Tests.Sessions;

public class SessionTests
{
    private static readonly SessionOptions Options = SessionOptions.Default;

    [Fact]
    public void Connect_CleanLink_BothSidesActiveWithTheSameSessionAndProvenNodeIds()
    {
        using var pair = new SessionPair(Options);

        bool active = pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active);

        Assert.True(active);
        Assert.Equal(pair.Initiator.SessionId, pair.Responder!.SessionId);
        Assert.NotEqual(0UL, pair.Initiator.SessionId);
        Assert.Equal(pair.ResponderIdentity.NodeId, pair.Initiator.PeerNodeId);
        Assert.Equal(pair.InitiatorIdentity.NodeId, pair.Responder.PeerNodeId);
        Assert.Equal(SessionRole.Initiator, pair.Initiator.Role);
        Assert.Equal(SessionRole.Responder, pair.Responder.Role);
        Assert.Equal(1, pair.HandshakesAccepted);
    }

    [Fact]
    public void Connect_WrongSharedSeed_ResponderCreatesNothingAndSendsNothing()
    {
        byte[] otherSeed = Enumerable.Repeat((byte)0x55, 32).ToArray();
        using var pair = new SessionPair(Options, responderSharedSeed: otherSeed);

        pair.Run(() => false, maxVirtualTime: TimeSpan.FromSeconds(30));

        Assert.Null(pair.Responder);
        Assert.Equal(0, pair.HandshakesAccepted);
        Assert.True(pair.HellosRefused >= 3, $"HELLO was retransmitted with backoff; refused {pair.HellosRefused}");
        Assert.Equal(0, pair.ToInitiator.Sent);
        Assert.Equal(SessionState.Closed, pair.Initiator.State);
        Assert.Equal(ProtocolErrorCode.HandshakeTimeout, pair.Initiator.CloseCode);
    }

    [Fact]
    public void Connect_ThirtyPercentLossBothWays_CompletesWithExactlyOneHandshake()
    {
        var loss = new LinkImpairment { Loss = 0.3 };
        for (int seed = 1; seed <= 20; seed++)
        {
            using var pair = new SessionPair(Options with { Handshake = Options.Handshake with { HandshakeTimeout = TimeSpan.FromSeconds(60) } }, loss, loss, seed);

            bool active = pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active, maxVirtualTime: TimeSpan.FromSeconds(60));

            Assert.True(active, $"seed {seed}");
            Assert.Equal(1, pair.HandshakesAccepted);
        }
    }

    [Fact]
    public void Streams_ThreeStreamsOfTenMegabytesOverImpairedLinkWithRotation_ByteExact()
    {
        var options = Options with
        {
            Protection = FrameProtectionOptions.Default with { RotateAfterMessages = 1500, RotateAfterBytes = 3 << 20 },
        };
        var impairment = new LinkImpairment { Loss = 0.05, Duplicate = 0.02, Reorder = 0.05, Corrupt = 0.01 };
        using var pair = new SessionPair(options, impairment, impairment, seed: 7);
        Assert.True(pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active));

        const int StreamLength = 10 * 1024 * 1024;
        var senders = new StreamSender[3];
        for (int i = 0; i < senders.Length; i++)
        {
            Assert.True(pair.Initiator.TryOpenStream(out int streamId));
            senders[i] = new StreamSender(streamId, StreamLength, seed: 100 + i);
        }

        var receivers = new Dictionary<int, StreamReceiver>();
        bool done = pair.Run(
            () => receivers.Count == 3 && receivers.Values.All(r => r.Ended),
            () =>
            {
                foreach (StreamSender sender in senders)
                {
                    sender.Pump(pair.Initiator);
                }

                while (pair.Responder!.TryDequeueStreamEvent(out StreamEvent e))
                {
                    if (!receivers.TryGetValue(e.StreamId, out StreamReceiver? receiver))
                    {
                        receivers[e.StreamId] = receiver = new StreamReceiver(e.StreamId);
                    }

                    receiver.Pump(pair.Responder);
                }

                foreach (StreamReceiver receiver in receivers.Values)
                {
                    receiver.Pump(pair.Responder!);
                }

                while (pair.Initiator.TryDequeueStreamEvent(out _))
                {
                }
            },
            maxVirtualTime: TimeSpan.FromMinutes(10));

        Assert.True(done, $"transfer stalled at {pair.Elapsed}: {string.Join(", ", receivers.Values.Select(r => $"{r.StreamId}:{r.Bytes}"))}");
        foreach (StreamSender sender in senders)
        {
            StreamReceiver receiver = receivers[sender.StreamId];
            Assert.Equal(StreamLength, receiver.Bytes);
            Assert.Equal(sender.Messages, receiver.Messages);
            Assert.Equal(sender.Hash, receiver.Hash);
        }

        Assert.True(pair.ToResponder.Dropped > 100 && pair.ToResponder.Reordered > 100 && pair.ToResponder.Duplicated > 10 && pair.ToResponder.Corrupted > 10);
        SessionStatistics sent = pair.Initiator.Statistics;
        Assert.True(sent.SendKeyEpoch >= 3, $"send epochs {sent.SendKeyEpoch}");
        Assert.Equal(sent.SendKeyEpoch, pair.Responder!.Statistics.ReceiveKeyEpoch);
        Assert.True(sent.FramesRetransmitted > 0);
        Assert.True(sent.CongestionWindow >= options.Congestion.MinimumWindow, $"cwnd {sent.CongestionWindow}");
        Assert.True(sent.SmoothedRtt >= TimeSpan.FromMilliseconds(10) && sent.SmoothedRtt < TimeSpan.FromMilliseconds(200), $"srtt {sent.SmoothedRtt}");
        Assert.True(pair.Responder.Statistics.FramesDropped > 0);
        Assert.Equal(1, pair.HandshakesAccepted);
        Assert.Equal(senders.Sum(s => s.Messages), sent.MessagesSent);
        Assert.Equal(receivers.Values.Sum(r => r.Messages), pair.Responder.Statistics.MessagesReceived);
    }

    [Fact]
    public void Close_Graceful_PeerSeesNoErrorAndBothEndClosed()
    {
        using var pair = new SessionPair(Options);
        Assert.True(pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active));

        pair.Initiator.Close(ProtocolErrorCode.NoError, "done");
        Assert.Equal(SessionState.Closing, pair.Initiator.State);

        Assert.True(pair.Run(() => pair.Initiator.State == SessionState.Closed && pair.Responder!.State == SessionState.Closed, maxVirtualTime: TimeSpan.FromSeconds(10)));
        Assert.True(pair.Responder!.ClosedByPeer);
        Assert.Equal(ProtocolErrorCode.NoError, pair.Responder.CloseCode);
        Assert.False(pair.Initiator.ClosedByPeer);
    }

    [Fact]
    public void OnTimer_PeerVanishes_SessionClosesWithinIdleTimeout()
    {
        using var pair = new SessionPair(Options);
        Assert.True(pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active));

        TimeSpan start = pair.Elapsed;
        pair.Responder!.Dispose();
        bool closed = pair.Run(() => pair.Initiator.State == SessionState.Closed, maxVirtualTime: TimeSpan.FromMinutes(2));

        Assert.True(closed);
        Assert.True(pair.Elapsed - start <= Options.IdleTimeout + TimeSpan.FromSeconds(1), $"closed after {pair.Elapsed - start}");
        Assert.Equal(ProtocolErrorCode.IdleTimeout, pair.Initiator.CloseCode);
    }

    [Fact]
    public void Receive_GarbageAndTruncatedFrames_DroppedAndSessionKeepsWorking()
    {
        using var pair = new SessionPair(Options);
        Assert.True(pair.Run(() => pair.Responder?.State == SessionState.Active && pair.Initiator.State == SessionState.Active));
        var random = new Random(3);
        byte[] garbage = new byte[300];
        for (int i = 0; i < 1000; i++)
        {
            random.NextBytes(garbage);
            Span<byte> frame = garbage.AsSpan(0, random.Next(1, garbage.Length));
            SessionReceiveStatus status = pair.Responder!.Receive(frame);
            Assert.NotEqual(SessionReceiveStatus.Accepted, status);
        }

        Assert.Equal(1000, pair.Responder!.Statistics.FramesDropped);
        Assert.True(pair.Initiator.TryOpenStream(out int streamId));
        Assert.Equal(StreamWriteStatus.Success, pair.Initiator.WriteMessage(streamId, "still here"u8));
        var received = new ArrayBufferWriter<byte>();
        Assert.True(pair.Run(() => pair.Responder.TryGetStreamInfo(streamId, out _) && pair.Responder.ReadMessage(streamId, received, out _) == StreamReadStatus.Success, maxVirtualTime: TimeSpan.FromSeconds(5)));
        Assert.Equal("still here"u8.ToArray(), received.WrittenSpan.ToArray());
        Assert.Equal(SessionState.Active, pair.Responder.State);
    }

    private sealed class StreamSender(int streamId, int length, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[]? _pending;
        private int _written;
        private bool _finished;

        public int StreamId { get; } = streamId;

        public int Messages { get; private set; }

        public byte[] Hash { get; private set; } = [];

        public void Pump(Session session)
        {
            while (!_finished)
            {
                if (_pending is null)
                {
                    if (_written == length)
                    {
                        session.Finish(StreamId);
                        _finished = true;
                        Hash = _hash.GetHashAndReset();
                        return;
                    }

                    int size = Math.Min(length - _written, _random.Next(1, 300_000));
                    _pending = new byte[size];
                    _random.NextBytes(_pending);
                }

                if (session.WriteMessage(StreamId, _pending) != StreamWriteStatus.Success)
                {
                    return;
                }

                _hash.AppendData(_pending);
                _written += _pending.Length;
                _pending = null;
                Messages++;
            }
        }
    }

    private sealed class StreamReceiver(int streamId)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public int StreamId { get; } = streamId;

        public long Bytes { get; private set; }

        public int Messages { get; private set; }

        public bool Ended { get; private set; }

        public byte[] Hash { get; private set; } = [];

        public void Pump(Session session)
        {
            while (!Ended)
            {
                _buffer.ResetWrittenCount();
                switch (session.ReadMessage(StreamId, _buffer, out int length))
                {
                    case StreamReadStatus.Success:
                        _hash.AppendData(_buffer.WrittenSpan);
                        Bytes += length;
                        Messages++;
                        break;
                    case StreamReadStatus.EndOfStream:
                        Ended = true;
                        Hash = _hash.GetHashAndReset();
                        session.Finish(StreamId);
                        return;
                    default:
                        return;
                }
            }
        }
    }
}

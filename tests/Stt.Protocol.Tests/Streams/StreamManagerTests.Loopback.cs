using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Stt.Protocol.Streams;
using Xunit;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    private const int LoopbackStreamLength = 10 * 1024 * 1024;

    [Fact]
    public void Loopback_ThreeTenMegabyteStreamsOverLossyReorderingDuplicatingLink_ArriveByteExact()
    {
        using var initiator = new StreamManager(SessionRole.Initiator);
        using var responder = new StreamManager(SessionRole.Responder);
        var pump = new LoopbackPump(initiator, responder, seed: 20240611, dropRate: 0.05, duplicateRate: 0.03, spuriousLossRate: 0.02, maxInFlight: 64);
        var initiatorApp = new LoopbackApp(initiator);
        var responderApp = new LoopbackApp(responder);
        int one = initiatorApp.StartWriter(asMessages: true, seed: 1);
        int three = initiatorApp.StartWriter(asMessages: false, seed: 3);
        int two = responderApp.StartWriter(asMessages: true, seed: 2);
        var clock = Stopwatch.StartNew();

        int steps = 0;
        while (!(initiatorApp.Done && responderApp.Done && pump.Idle && initiator.ActiveStreamCount == 0 && responder.ActiveStreamCount == 0))
        {
            Assert.True(++steps < 200_000, $"stalled: initiator {initiatorApp.Describe()}, responder {responderApp.Describe()}");
            initiatorApp.Run();
            responderApp.Run();
            pump.Step();
        }

        Assert.Equal(initiatorApp.SentHash(one), responderApp.ReceivedHash(one));
        Assert.Equal(initiatorApp.SentHash(three), responderApp.ReceivedHash(three));
        Assert.Equal(responderApp.SentHash(two), initiatorApp.ReceivedHash(two));
        Assert.True(pump.Dropped > 100 && pump.Duplicated > 50 && pump.Retransmitted > 100);
        Assert.Equal(0, initiator.SendBufferedBytes + initiator.ReceiveBufferedBytes);
        Assert.Equal(0, responder.SendBufferedBytes + responder.ReceiveBufferedBytes);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    /// <summary>One side's application: writers that push 10 MB (as messages of mixed sizes, or raw bytes) and readers that hash what arrives.</summary>
    private sealed class LoopbackApp(StreamManager manager)
    {
        private readonly Dictionary<int, Writer> _writers = [];
        private readonly Dictionary<int, Reader> _readers = [];
        private readonly HashSet<int> _closed = [];

        public bool Done => _writers.Count + _readers.Count > 0 && _readers.Values.All(r => r.Ended) && _writers.Values.All(w => w.Finished);

        public int StartWriter(bool asMessages, int seed)
        {
            Assert.True(manager.TryOpenStream(out int streamId));
            _writers[streamId] = new Writer(streamId, StreamTestHelpers.Bytes(LoopbackStreamLength, seed), asMessages, new Random(seed));
            _readers[streamId] = new Reader(asMessages: false);
            return streamId;
        }

        public byte[] SentHash(int streamId) => SHA256.HashData(_writers[streamId].Data);

        public byte[] ReceivedHash(int streamId)
        {
            Reader reader = _readers[streamId];
            Assert.True(reader.Ended);
            Assert.Equal(LoopbackStreamLength, reader.Received);
            return reader.Hash.GetCurrentHash();
        }

        public string Describe() =>
            string.Join(", ", _writers.Values.Select(w => $"writer {w.StreamId} at {w.Position}")) + "; " +
            string.Join(", ", _readers.Select(r => $"reader {r.Key} at {r.Value.Received} ended {r.Value.Ended}")) +
            $"; active {manager.ActiveStreamCount}, send credit {manager.SessionSendCredit}";

        public void Run()
        {
            while (manager.TryDequeueEvent(out StreamEvent streamEvent))
            {
                switch (streamEvent.Kind)
                {
                    case StreamEventKind.Opened:
                        // The peer's streams carry data one way: finish our direction at once and read theirs.
                        bool asMessages = streamEvent.StreamId != 3;
                        _readers[streamEvent.StreamId] = new Reader(asMessages);
                        manager.Finish(streamEvent.StreamId);
                        break;
                    case StreamEventKind.Readable:
                        if (_readers.TryGetValue(streamEvent.StreamId, out Reader? reader))
                        {
                            reader.Drain(manager, streamEvent.StreamId);
                        }

                        break;
                    case StreamEventKind.Closed:
                        _closed.Add(streamEvent.StreamId);
                        break;
                    case StreamEventKind.Writable:
                        break;
                    default:
                        Assert.Fail($"unexpected event {streamEvent}");
                        break;
                }
            }

            foreach (Writer writer in _writers.Values)
            {
                writer.Pump(manager);
            }
        }
    }

    private sealed class Writer(int streamId, byte[] data, bool asMessages, Random random)
    {
        private int _messageEnd;

        public int StreamId => streamId;

        public byte[] Data => data;

        public int Position { get; private set; }

        public bool Finished { get; private set; }

        public void Pump(StreamManager manager)
        {
            while (!Finished)
            {
                if (Position < _messageEnd || (!asMessages && Position < data.Length))
                {
                    int end = asMessages ? _messageEnd : data.Length;
                    manager.Write(streamId, data.AsSpan(Position, end - Position), out int written);
                    Position += written;
                    if (written == 0)
                    {
                        return;
                    }

                    continue;
                }

                if (Position == data.Length)
                {
                    manager.Finish(streamId);
                    Finished = true;
                    return;
                }

                // Mostly messages up to 200 KB, sometimes one of 1.5 – 3 MB: larger than the 1 MiB send buffer.
                int length = random.Next(20) == 0 ? random.Next(1_500_000, 3_000_000) : random.Next(0, 200_000);
                length = Math.Min(length, data.Length - Position);
                if (length + 4 <= manager.Options.SendBufferLimit)
                {
                    if (manager.WriteMessage(streamId, data.AsSpan(Position, length)) != StreamWriteStatus.Success)
                    {
                        return;
                    }

                    Position += length;
                }
                else if (manager.BeginMessage(streamId, length) == StreamWriteStatus.Success)
                {
                    _messageEnd = Position + length;
                }
                else
                {
                    return;
                }
            }
        }
    }

    private sealed class Reader(bool asMessages)
    {
        private readonly ArrayBufferWriter<byte> _message = new();
        private readonly byte[] _buffer = new byte[65_536];

        public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Received { get; private set; }

        public bool Ended { get; private set; }

        public void Drain(StreamManager manager, int streamId)
        {
            while (!Ended)
            {
                StreamReadStatus status;
                if (asMessages)
                {
                    _message.ResetWrittenCount();
                    status = manager.ReadMessage(streamId, _message, out int length);
                    Assert.Equal(_message.WrittenCount, length);
                    Hash.AppendData(_message.WrittenSpan);
                    Received += length;
                }
                else
                {
                    status = manager.Read(streamId, _buffer, out int read);
                    Hash.AppendData(_buffer.AsSpan(0, read));
                    Received += read;
                }

                switch (status)
                {
                    case StreamReadStatus.Success:
                        continue;
                    case StreamReadStatus.EndOfStream:
                        Ended = true;
                        return;
                    case StreamReadStatus.Pending:
                        return;
                    default:
                        Assert.Fail($"stream {streamId} was reset");
                        return;
                }
            }
        }
    }
}

using Stt.Protocol.Encoding;
using Stt.Protocol.Recovery;
using Stt.Protocol.Recovery.Congestion;

namespace Stt.Protocol.Tests.Recovery.Congestion;

/// <summary>
/// A discrete-event model of one bulk sender behind a drop-tail bottleneck: the sender is limited by
/// <see cref="NewRenoCongestionController"/> and <see cref="Pacer"/>, detects loss with the real
/// <see cref="SentFrameTracker{TPayload}"/>, and the receiver acknowledges every frame at once over an uncongested path.
/// </summary>
/// <remarks>Time is integer nanoseconds; nothing is random, so every run is identical.</remarks>
internal sealed class BottleneckSimulation
{
    public const int FrameSize = 1200;
    private const long Frequency = 1_000_000_000;
    private const int MaxAckRanges = 32;

    private readonly FixedFrequencyTimeProvider _clock = new(Frequency);
    private readonly long _serviceTicks;
    private readonly long _oneWayDelayTicks;
    private readonly int _bufferPackets;
    private readonly NewRenoCongestionController _controller;
    private readonly Pacer _pacer;
    private readonly SentFrameTracker<int> _tracker;
    private readonly Queue<long> _queueDepartures = new();
    private readonly Queue<(long At, SequenceRange[] Ranges)> _acks = new();
    private readonly List<SequenceRange> _received = [];
    private readonly Sink _sink = new();
    private long _lastDeparture;
    private long _lastSendTimestamp = long.MinValue;
    private int _currentBurst;
    private int _probesPending;

    /// <param name="linkBytesPerSecond">Bottleneck rate.</param>
    /// <param name="baseRtt">Propagation round trip, split evenly between the two directions.</param>
    /// <param name="bufferPackets">Bottleneck queue capacity in frames, the one in service included.</param>
    /// <param name="pacing">Whether the pacer spaces frames.</param>
    public BottleneckSimulation(long linkBytesPerSecond, TimeSpan baseRtt, int bufferPackets, bool pacing)
    {
        _serviceTicks = FrameSize * Frequency / linkBytesPerSecond;
        _oneWayDelayTicks = _clock.Ticks(baseRtt) / 2;
        _bufferPackets = bufferPackets;
        CongestionOptions options = CongestionOptions.Default with { MaxDatagramSize = FrameSize, EnablePacing = pacing };
        _controller = new NewRenoCongestionController(options, _clock);
        _pacer = new Pacer(options, _clock);
        _tracker = new SentFrameTracker<int>(RecoveryOptions.Default with { MaxTrackedFrames = 1 << 20 }, _clock);
    }

    public long BytesDelivered { get; private set; }

    public long BytesDeliveredInLastSecond { get; private set; }

    public int FramesSent { get; private set; }

    public int FramesDropped { get; private set; }

    public int PeakQueue { get; private set; }

    public int PeakQueueBeforeFirstDrop { get; private set; }

    public bool PersistentCongestion { get; private set; }

    /// <summary>The most frames the sender handed to the network at one instant, which its socket buffer must absorb.</summary>
    public int LargestBurst { get; private set; }

    public long FinalCongestionWindow => _controller.CongestionWindow;

    /// <summary>Runs the model for <paramref name="duration"/> of simulated time.</summary>
    public void Run(TimeSpan duration)
    {
        long end = _clock.Ticks(duration);
        long now = 0;
        while (now < end)
        {
            while (_acks.Count > 0 && _acks.Peek().At <= now)
            {
                (_, SequenceRange[] ranges) = _acks.Dequeue();
                Sink sink = _sink;
                sink.Clear();
                _tracker.OnAckReceived(ranges, TimeSpan.Zero, now, ref sink);
                Apply(now);
            }

            if (_tracker.GetLossDetectionDeadline() <= now)
            {
                Sink sink = _sink;
                sink.Clear();
                LossTimerOutcome outcome = _tracker.OnLossDetectionTimeout(now, ref sink);
                Apply(now);
                if (outcome == LossTimerOutcome.SendProbes)
                {
                    _probesPending = 2;
                }
            }

            long pacedUntil = long.MaxValue;
            while (true)
            {
                bool probe = _probesPending > 0;
                if (!probe && !_controller.CanSend(FrameSize))
                {
                    break;
                }

                long sendAt = _pacer.GetNextSendTimestamp(now, FrameSize);
                if (!probe && sendAt > now)
                {
                    pacedUntil = sendAt;
                    break;
                }

                _probesPending = Math.Max(0, _probesPending - 1);
                Send(now, end);
            }

            long next = Math.Min(pacedUntil, _tracker.GetLossDetectionDeadline());
            if (_acks.Count > 0)
            {
                next = Math.Min(next, _acks.Peek().At);
            }

            if (next == long.MaxValue)
            {
                break;
            }

            now = Math.Max(next, now + 1);
        }
    }

    private void Send(long now, long end)
    {
        ulong sequence = _tracker.NextSequence;
        _tracker.OnFrameSent(sequence, now, FrameSize, ackEliciting: true, 0);
        _controller.OnPacketSent(now, FrameSize, ackEliciting: true);
        _pacer.OnPacketSent(now, FrameSize);
        FramesSent++;
        _currentBurst = now == _lastSendTimestamp ? _currentBurst + 1 : 1;
        _lastSendTimestamp = now;
        LargestBurst = Math.Max(LargestBurst, _currentBurst);

        while (_queueDepartures.Count > 0 && _queueDepartures.Peek() <= now)
        {
            _queueDepartures.Dequeue();
        }

        if (_queueDepartures.Count >= _bufferPackets)
        {
            FramesDropped++;
            return;
        }

        long departure = Math.Max(now, _lastDeparture) + _serviceTicks;
        _lastDeparture = departure;
        _queueDepartures.Enqueue(departure);
        PeakQueue = Math.Max(PeakQueue, _queueDepartures.Count);
        if (FramesDropped == 0)
        {
            PeakQueueBeforeFirstDrop = PeakQueue;
        }

        if (departure <= end)
        {
            BytesDelivered += FrameSize;
            if (departure > end - Frequency)
            {
                BytesDeliveredInLastSecond += FrameSize;
            }
        }

        // The link is FIFO, so the receiver's ranges at this frame's arrival are those of every frame accepted before it.
        if (_received.Count > 0 && _received[^1].End + 1 == sequence)
        {
            _received[^1] = _received[^1] with { End = sequence };
        }
        else
        {
            _received.Add(new SequenceRange(sequence, sequence));
            if (_received.Count > MaxAckRanges)
            {
                _received.RemoveAt(0);
            }
        }

        SequenceRange[] ranges = [.. _received];
        Array.Reverse(ranges);
        _acks.Enqueue((departure + (2 * _oneWayDelayTicks), ranges));
    }

    // What the session will do with one pass of the loss detector: acknowledgements grow the window, the lost frames
    // are one congestion event, a long enough run of consecutive lost frames is persistent congestion, and the pacer
    // follows the new window and RTT.
    private void Apply(long now)
    {
        foreach (SentFrame<int> frame in _sink.Acknowledged)
        {
            _controller.OnPacketAcked(frame.SentTimestamp, frame.Bytes, now);
        }

        if (_sink.Lost.Count > 0)
        {
            int lostBytes = 0;
            long largestSent = long.MinValue;
            foreach (SentFrame<int> frame in _sink.Lost)
            {
                lostBytes += frame.Bytes;
                largestSent = Math.Max(largestSent, frame.SentTimestamp);
            }

            _controller.OnPacketsLost(largestSent, lostBytes, now);
            if (HasPersistentCongestion())
            {
                PersistentCongestion = true;
                _controller.OnPersistentCongestion();
            }
        }

        _pacer.Update(_controller.CongestionWindow, _tracker.Rtt.SmoothedRtt);
    }

    private bool HasPersistentCongestion()
    {
        List<SentFrame<int>> lost = _sink.Lost;
        int runStart = 0;
        for (int i = 1; i <= lost.Count; i++)
        {
            if (i == lost.Count || lost[i].Sequence != lost[i - 1].Sequence + 1)
            {
                if (_controller.IsPersistentCongestion(lost[runStart].SentTimestamp, lost[i - 1].SentTimestamp, _tracker.Rtt))
                {
                    return true;
                }

                runStart = i;
            }
        }

        return false;
    }

    private sealed class Sink : ISentFrameSink<int>
    {
        public List<SentFrame<int>> Acknowledged { get; } = [];

        public List<SentFrame<int>> Lost { get; } = [];

        public void OnFrameAcknowledged(in SentFrame<int> frame) => Acknowledged.Add(frame);

        public void OnFrameLost(in SentFrame<int> frame) => Lost.Add(frame);

        public void Clear()
        {
            Acknowledged.Clear();
            Lost.Clear();
        }
    }
}

using CsCheck;
using Stt.Protocol.Encoding;
using Stt.Protocol.Recovery;
using Xunit;

namespace Stt.Protocol.Tests.Recovery;

public sealed class SentFrameTrackerPropertyTests
{
    private enum Step
    {
        Send,
        DeliverFrame,
        Wait,
        SnapshotAck,
        DeliverAck,
    }

    private static readonly Gen<(Step Step, int A, int B)[]> Schedules =
        Gen.Select(Gen.Int[0, 11].Select(ToStep), Gen.Int[0, 1_000], Gen.Int[0, 99]).Array[1, 400];

    private static Step ToStep(int value) => value switch
    {
        < 3 => Step.Send,
        < 6 => Step.DeliverFrame,
        < 8 => Step.Wait,
        < 10 => Step.SnapshotAck,
        _ => Step.DeliverAck,
    };

    [Fact]
    public void OnAckReceived_RandomSendsAndAcksInRandomOrder_EveryFrameResolvedAtMostOnce()
    {
        Schedules.Sample(Run, iter: 300, threads: 1);
    }

    private static void Run((Step Step, int A, int B)[] schedule)
    {
        var clock = new NanosecondTimeProvider();
        var options = RecoveryOptions.Default with { InitialRtt = TimeSpan.FromMilliseconds(20) };
        var tracker = new SentFrameTracker<int>(options, clock);
        var receiver = new AckTracker(options, clock);
        var model = new Model();
        var framesToPeer = new List<(ulong Sequence, bool AckEliciting)>();
        var pendingAcks = new List<SequenceRange[]>();
        var buffer = new SequenceRange[RecoveryOptions.MaxAckRangesLimit];

        foreach ((Step step, int a, int b) in schedule)
        {
            switch (step)
            {
                case Step.Send:
                    SendFrame(tracker, model, framesToPeer, clock, ackEliciting: a % 5 != 0, bytes: 1 + a, dropped: b < 15);
                    break;
                case Step.DeliverFrame when framesToPeer.Count > 0:
                    (ulong delivered, bool deliveredAckEliciting) = framesToPeer[a % framesToPeer.Count];
                    framesToPeer.RemoveAt(a % framesToPeer.Count);
                    receiver.OnFrameReceived(delivered, deliveredAckEliciting, clock.GetTimestamp());
                    model.Received.Add(delivered);
                    break;
                case Step.Wait:
                    clock.Advance(TimeSpan.FromMilliseconds(a / 10.0));
                    long now = clock.GetTimestamp();
                    if (now >= tracker.GetLossDetectionDeadline())
                    {
                        LossTimerOutcome outcome = tracker.OnLossDetectionTimeout(now, ref model);
                        if (outcome == LossTimerOutcome.SendProbes)
                        {
                            SendFrame(tracker, model, framesToPeer, clock, ackEliciting: true, bytes: 50, dropped: b < 15);
                        }
                    }

                    break;
                case Step.SnapshotAck:
                    int written = receiver.WriteAckRanges(buffer, clock.GetTimestamp(), out _, out _);
                    if (written > 0)
                    {
                        pendingAcks.Add(buffer[..written]);
                        receiver.OnAckSent();
                    }

                    break;
                case Step.DeliverAck when pendingAcks.Count > 0:
                    int index = a % pendingAcks.Count;
                    SequenceRange[] ack = pendingAcks[index];
                    if (b >= 25)
                    {
                        pendingAcks.RemoveAt(index);
                    }

                    tracker.OnAckReceived(ack, TimeSpan.FromMilliseconds(b / 10.0), clock.GetTimestamp(), ref model);
                    break;
            }

            model.AssertConsistent(tracker);
        }

        int finalCount = receiver.WriteAckRanges(buffer, clock.GetTimestamp(), out _, out _);
        tracker.OnAckReceived(buffer.AsSpan(0, finalCount), TimeSpan.Zero, clock.GetTimestamp(), ref model);
        model.AssertConsistent(tracker);
        foreach (ulong sequence in model.Received)
        {
            Assert.True(model.Acknowledged.Contains(sequence) || model.Lost.Contains(sequence), $"Delivered frame {sequence} neither acknowledged nor lost.");
        }
    }

    private static void SendFrame(SentFrameTracker<int> tracker, Model model, List<(ulong, bool)> framesToPeer, NanosecondTimeProvider clock, bool ackEliciting, int bytes, bool dropped)
    {
        ulong sequence = tracker.NextSequence;
        tracker.OnFrameSent(sequence, clock.GetTimestamp(), bytes, ackEliciting, (int)sequence);
        model.Sent.Add((sequence, bytes, ackEliciting));
        if (!dropped)
        {
            framesToPeer.Add((sequence, ackEliciting));
        }
    }

    private sealed class Model : ISentFrameSink<int>
    {
        public List<(ulong Sequence, int Bytes, bool AckEliciting)> Sent { get; } = [];

        public HashSet<ulong> Received { get; } = [];

        public HashSet<ulong> Acknowledged { get; } = [];

        public HashSet<ulong> Lost { get; } = [];

        public void OnFrameAcknowledged(in SentFrame<int> frame)
        {
            Assert.True(Received.Contains(frame.Sequence), $"Frame {frame.Sequence} acknowledged but never delivered.");
            Assert.False(Lost.Contains(frame.Sequence), $"Frame {frame.Sequence} acknowledged after it was lost.");
            Assert.True(Acknowledged.Add(frame.Sequence), $"Frame {frame.Sequence} acknowledged twice.");
            Check(frame);
        }

        public void OnFrameLost(in SentFrame<int> frame)
        {
            Assert.False(Acknowledged.Contains(frame.Sequence), $"Frame {frame.Sequence} lost after it was acknowledged.");
            Assert.True(Lost.Add(frame.Sequence), $"Frame {frame.Sequence} lost twice.");
            Check(frame);
        }

        public void AssertConsistent(SentFrameTracker<int> tracker)
        {
            long bytesInFlight = 0;
            int ackElicitingInFlight = 0;
            ulong oldestOutstanding = tracker.NextSequence;
            foreach ((ulong sequence, int bytes, bool ackEliciting) in Sent)
            {
                if (Acknowledged.Contains(sequence) || Lost.Contains(sequence))
                {
                    continue;
                }

                oldestOutstanding = Math.Min(oldestOutstanding, sequence);
                if (ackEliciting)
                {
                    bytesInFlight += bytes;
                    ackElicitingInFlight++;
                }
            }

            Assert.Equal((ulong)Sent.Count, tracker.NextSequence);
            Assert.Equal(bytesInFlight, tracker.BytesInFlight);
            Assert.Equal(ackElicitingInFlight, tracker.AckElicitingInFlight);
            Assert.Equal(tracker.NextSequence - oldestOutstanding, (ulong)tracker.TrackedFrameCount);
        }

        private void Check(in SentFrame<int> frame)
        {
            (ulong sequence, int bytes, bool ackEliciting) = Sent[(int)frame.Sequence];
            Assert.Equal(sequence, frame.Sequence);
            Assert.Equal(bytes, frame.Bytes);
            Assert.Equal(ackEliciting, frame.IsAckEliciting);
            Assert.Equal((int)sequence, frame.Payload);
        }
    }
}

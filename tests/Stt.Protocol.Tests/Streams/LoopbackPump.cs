using Stt.Protocol.Streams;
using Xunit;

namespace Stt.Protocol.Tests.Streams;

/// <summary>
/// Wires two stream managers together with no crypto and no encoding: DATA chunks and control items travel as plain
/// values over an impaired "link" that drops, reorders and duplicates them, and the pump plays loss recovery by
/// telling each sender which of its chunks were acknowledged or lost (sometimes both: a spurious loss).
/// </summary>
internal sealed class LoopbackPump
{
    private readonly Random _random;
    private readonly double _dropRate;
    private readonly double _duplicateRate;
    private readonly double _spuriousLossRate;
    private readonly int _maxInFlight;
    private readonly List<Packet> _towardB = [];
    private readonly List<Packet> _towardA = [];
    private readonly byte[] _payload = new byte[16_384];

    public LoopbackPump(StreamManager a, StreamManager b, int seed, double dropRate, double duplicateRate, double spuriousLossRate, int maxInFlight)
    {
        A = a;
        B = b;
        _random = new Random(seed);
        _dropRate = dropRate;
        _duplicateRate = duplicateRate;
        _spuriousLossRate = spuriousLossRate;
        _maxInFlight = maxInFlight;
    }

    public StreamManager A { get; }

    public StreamManager B { get; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public long Retransmitted { get; private set; }

    public bool Idle => _towardA.Count == 0 && _towardB.Count == 0;

    /// <summary>One round: each side sends up to its in-flight budget, then a random part of each direction is delivered in random order.</summary>
    public void Step()
    {
        Produce(A, _towardB);
        Produce(B, _towardA);
        Deliver(_towardB, from: A, to: B);
        Deliver(_towardA, from: B, to: A);
    }

    private void Produce(StreamManager sender, List<Packet> link)
    {
        while (link.Count < _maxInFlight)
        {
            if (sender.TryGetPendingControl(out StreamControlItem item))
            {
                link.Add(new Packet(item));
                continue;
            }

            int budget = _random.Next(40, _payload.Length + 1);
            if (!sender.TryGetNextData(_payload.AsSpan(0, budget), out StreamChunk chunk))
            {
                return;
            }

            Assert.True(chunk.PayloadLength <= budget);
            Retransmitted += chunk.IsRetransmission ? 1 : 0;
            link.Add(new Packet(chunk, _payload.AsSpan(chunk.DataStart, chunk.Length).ToArray()));
        }
    }

    private void Deliver(List<Packet> link, StreamManager from, StreamManager to)
    {
        int deliveries = _random.Next(1, link.Count + 1);
        for (int i = 0; i < deliveries && link.Count > 0; i++)
        {
            int index = _random.Next(link.Count);
            Packet packet = link[index];
            link[index] = link[^1];
            link.RemoveAt(link.Count - 1);

            if (packet.IsDuplicate)
            {
                Apply(to, packet);
                continue;
            }

            if (_random.NextDouble() < _dropRate)
            {
                Dropped++;
                ReportLost(from, packet);
                continue;
            }

            Apply(to, packet);
            if (_random.NextDouble() < _duplicateRate)
            {
                Duplicated++;
                link.Add(packet with { IsDuplicate = true });
            }

            if (_random.NextDouble() < _spuriousLossRate)
            {
                ReportLost(from, packet);
            }

            if (packet.IsData)
            {
                from.OnDataAcked(packet.Chunk.StreamId, packet.Chunk.Offset, packet.Chunk.Length, packet.Chunk.Fin);
            }
        }
    }

    private static void Apply(StreamManager to, Packet packet)
    {
        if (packet.IsData)
        {
            to.OnData(packet.Chunk.StreamId, packet.Chunk.Offset, packet.Data, packet.Chunk.Fin);
        }
        else
        {
            StreamTestHelpers.Apply(to, packet.Control);
        }
    }

    private static void ReportLost(StreamManager from, Packet packet)
    {
        if (packet.IsData)
        {
            from.OnDataLost(packet.Chunk.StreamId, packet.Chunk.Offset, packet.Chunk.Length, packet.Chunk.Fin);
        }
        else
        {
            from.OnControlLost(packet.Control);
        }
    }

    private sealed record Packet(bool IsData, StreamChunk Chunk, byte[] Data, StreamControlItem Control, bool IsDuplicate = false)
    {
        public Packet(StreamControlItem control)
            : this(false, default, [], control)
        {
        }

        public Packet(StreamChunk chunk, byte[] data)
            : this(true, chunk, data, default)
        {
        }
    }
}

using System.Buffers;

namespace Stt.Protocol.Tests.Sessions;

/// <summary>Seeded impairments of one direction of an in-memory link.</summary>
public sealed record LinkImpairment
{
    public static LinkImpairment None { get; } = new();

    /// <summary>Probability that a frame is dropped.</summary>
    public double Loss { get; init; }

    /// <summary>Probability that a frame is delivered twice.</summary>
    public double Duplicate { get; init; }

    /// <summary>Probability that a frame is held back by <see cref="ReorderDelay"/>, so later frames overtake it.</summary>
    public double Reorder { get; init; }

    /// <summary>Probability that one bit of a frame is flipped.</summary>
    public double Corrupt { get; init; }

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(15);
}

/// <summary>
/// One direction of an in-memory link on a virtual clock: frames sent now are delivered after the latency,
/// subject to seeded loss, duplication, reordering and corruption. Frame bytes are copied into pooled arrays.
/// </summary>
public sealed class ImpairedLink
{
    private readonly PriorityQueue<InFlight, (TimeSpan Due, long Order)> _queue = new();
    private readonly LinkImpairment _impairment;
    private readonly Random _random;
    private long _order;

    public ImpairedLink(LinkImpairment impairment, int seed)
    {
        _impairment = impairment;
        _random = new Random(seed);
    }

    public long Sent { get; private set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public long Reordered { get; private set; }

    public long Corrupted { get; private set; }

    public int InFlightCount => _queue.Count;

    public void Send(ReadOnlySpan<byte> frame, TimeSpan now)
    {
        Sent++;
        if (_random.NextDouble() < _impairment.Loss)
        {
            Dropped++;
            return;
        }

        int copies = 1;
        if (_random.NextDouble() < _impairment.Duplicate)
        {
            Duplicated++;
            copies = 2;
        }

        for (int i = 0; i < copies; i++)
        {
            TimeSpan due = now + _impairment.Latency;
            if (_random.NextDouble() < _impairment.Reorder)
            {
                Reordered++;
                due += _impairment.ReorderDelay;
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(frame.Length);
            frame.CopyTo(buffer);
            if (_random.NextDouble() < _impairment.Corrupt)
            {
                Corrupted++;
                int bit = _random.Next(frame.Length * 8);
                buffer[bit / 8] ^= (byte)(1 << (bit % 8));
            }

            _queue.Enqueue(new InFlight(buffer, frame.Length), (due, _order++));
        }
    }

    public TimeSpan? NextDue => _queue.TryPeek(out _, out var priority) ? priority.Due : null;

    /// <summary>Delivers every frame due at <paramref name="now"/> to <paramref name="deliver"/>, then returns its buffer to the pool.</summary>
    public int DeliverDue(TimeSpan now, SpanAction<byte, int> deliver)
    {
        int delivered = 0;
        while (_queue.TryPeek(out var frame, out var priority) && priority.Due <= now)
        {
            _queue.Dequeue();
            try
            {
                deliver(frame.Buffer.AsSpan(0, frame.Length), frame.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame.Buffer);
            }

            delivered++;
        }

        return delivered;
    }

    private readonly record struct InFlight(byte[] Buffer, int Length);
}

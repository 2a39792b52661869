using System.Buffers;
using System.Net;
using Stt.Transport.Timing;
using Stt.Transport.Udp.Impairment;

namespace Stt.Transport.Udp.Internal;

/// <summary>
/// Applies a <see cref="DatagramImpairment"/> between the receive loop and <see cref="UdpEndpoint.Deliver"/>. Held-back
/// datagrams (reordered or duplicated) are copied into pooled buffers and delivered by the endpoint's timer loop.
/// </summary>
/// <remarks>The random generator is used only from the receive loop, so a seed gives the same decisions for the same input.</remarks>
internal sealed class ImpairedReceiver : ITimerTarget, IDisposable
{
    private readonly Lock _lock = new();
    private readonly UdpEndpoint _endpoint;
    private readonly DatagramImpairment _settings;
    private readonly Random _random;
    private readonly PriorityQueue<HeldDatagram, long> _held = new();
    private readonly List<HeldDatagram> _due = [];
    private readonly long _reorderDelayTicks;
    private int _burstRemaining;
    private volatile bool _blackhole;

    public ImpairedReceiver(UdpEndpoint endpoint, DatagramImpairment settings)
    {
        _endpoint = endpoint;
        _settings = settings;
        _random = new Random(settings.Seed);
        _reorderDelayTicks = (long)(settings.ReorderDelay.TotalSeconds * endpoint.Time.TimestampFrequency);
    }

    /// <summary>While true, every received datagram is dropped.</summary>
    public bool Blackhole
    {
        get => _blackhole;
        set => _blackhole = value;
    }

    long ITimerTarget.ScheduledDeadline { get; set; } = long.MaxValue;

    public void Receive(Span<byte> datagram, SocketAddress source)
    {
        if (_blackhole || Drop())
        {
            UdpMetrics.Dropped(DropReason.Impairment);
            return;
        }

        if (_random.NextDouble() < _settings.Corrupt)
        {
            int bit = _random.Next(datagram.Length * 8);
            datagram[bit >> 3] ^= (byte)(1 << (bit & 7));
        }

        if (_random.NextDouble() < _settings.Duplicate)
        {
            Hold(datagram, source, (long)(_random.NextDouble() * _reorderDelayTicks));
        }

        if (_random.NextDouble() < _settings.Reorder && Hold(datagram, source, _reorderDelayTicks))
        {
            return;
        }

        _endpoint.Deliver(datagram, source);
    }

    void ITimerTarget.OnTimerDue()
    {
        long now = _endpoint.Time.GetTimestamp();
        lock (_lock)
        {
            while (_held.TryPeek(out HeldDatagram held, out long due) && due <= now)
            {
                _held.Dequeue();
                _due.Add(held);
            }

            if (_held.TryPeek(out _, out long next))
            {
                _endpoint.Timers.Schedule(this, next);
            }
        }

        foreach (HeldDatagram held in _due)
        {
            if (!_blackhole)
            {
                _endpoint.Deliver(held.Buffer.AsSpan(0, held.Length), held.Source);
            }

            ArrayPool<byte>.Shared.Return(held.Buffer);
        }

        _due.Clear();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            while (_held.TryDequeue(out HeldDatagram held, out _))
            {
                ArrayPool<byte>.Shared.Return(held.Buffer);
            }
        }
    }

    private bool Drop()
    {
        if (_burstRemaining > 0)
        {
            _burstRemaining--;
            return true;
        }

        if (_random.NextDouble() < _settings.BurstLoss)
        {
            _burstRemaining = _settings.BurstLength - 1;
            return true;
        }

        return _random.NextDouble() < _settings.Loss;
    }

    private bool Hold(ReadOnlySpan<byte> datagram, SocketAddress source, long delayTicks)
    {
        long due = _endpoint.Time.GetTimestamp() + delayTicks;
        lock (_lock)
        {
            if (_held.Count >= _settings.MaxHeldDatagrams)
            {
                return false;
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
            datagram.CopyTo(buffer);
            _held.Enqueue(new HeldDatagram(buffer, datagram.Length, UdpEndpoint.Copy(source)), due);
        }

        _endpoint.Timers.Schedule(this, due);
        return true;
    }

    private readonly record struct HeldDatagram(byte[] Buffer, int Length, SocketAddress Source);
}

using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Stt.Transport.Udp.Interop;

namespace Stt.Transport.Udp.Internal;

/// <summary>
/// Gathers the datagrams an endpoint's sessions send into batches of up to 64 and hands each batch to the kernel in one
/// <c>sendmmsg</c> call (64-bit Linux). A system call costs more than the datagram it carries: on the development
/// machine <c>sendto</c> took 5.5 µs per 1,100-byte datagram on loopback and <c>sendmmsg</c> of 32 took 2.0 µs each.
/// </summary>
/// <remarks>
/// <para>
/// A datagram is copied into the current batch and the caller returns. The first datagram of a batch queues a flush on
/// the thread pool, behind the work already queued there: a fan-out that wakes a thousand sessions' writers at once
/// fills batches from all of them before the flush runs. A full batch is sent at once by the thread that filled it.
/// </para>
/// <para>
/// One sender at a time, batches in the order they were filled: a session's datagrams leave in the order it sent them.
/// A batch that sees a full socket buffer (EAGAIN) sends the rest of its datagrams through <see cref="Socket.SendTo(ReadOnlySpan{byte}, SocketFlags, SocketAddress)"/>,
/// which waits for room as an unbatched send would; any other error loses that one datagram, counted as a send error,
/// as the network might lose it, and the batch goes on. Memory: about 100 KB per batch, at most
/// <see cref="MaxSpareBatches"/> kept.
/// </para>
/// </remarks>
internal sealed class SendBatcher : IThreadPoolWorkItem
{
    private const int Capacity = DatagramSlots.Capacity;
    private const int MaxSpareBatches = 4;

    // A sender drains at most this many batches before it leaves the rest to a flush on the thread pool, so a thread
    // that filled a batch is not kept sending other sessions' datagrams for long.
    private const int MaxBatchesPerTurn = 4;

    private readonly Socket _socket;
    private readonly int _slotSize;
    private readonly Lock _lock = new();
    private readonly Queue<Batch> _ready = new();
    private readonly Stack<Batch> _spare = new();
    private Batch _current;
    private bool _sending;
    private bool _flushQueued;

    /// <summary>Creates a batcher for datagrams of up to <paramref name="maxDatagramSize"/> bytes.</summary>
    public SendBatcher(Socket socket, int maxDatagramSize)
    {
        _socket = socket;
        _slotSize = maxDatagramSize;
        _current = new Batch(maxDatagramSize);
    }

    /// <summary>Queues one datagram; false when it cannot be batched (too large an address) and must be sent directly.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram, SocketAddress peer)
    {
        if (datagram.Length > _slotSize || peer.Size > DatagramSlots.AddressSize)
        {
            return false;
        }

        bool send = false;
        bool queueFlush = false;
        lock (_lock)
        {
            _current.Add(datagram, peer);
            if (_current.Count == Capacity)
            {
                _ready.Enqueue(_current);
                _current = RentLocked();
                if (!_sending)
                {
                    _sending = send = true;
                }
            }
            else if (!_sending && !_flushQueued)
            {
                _flushQueued = queueFlush = true;
            }
        }

        if (queueFlush)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        if (send)
        {
            Drain(MaxBatchesPerTurn);
        }

        return true;
    }

    /// <summary>Sends everything queued before returning, waiting for a sender in progress: for a closing endpoint.</summary>
    public void FlushPending()
    {
        var spin = default(SpinWait);
        while (true)
        {
            lock (_lock)
            {
                if (!_sending)
                {
                    _sending = true;
                    break;
                }
            }

            spin.SpinOnce();
        }

        Drain(int.MaxValue);
    }

    /// <summary>The queued flush: sends what has gathered since.</summary>
    public void Execute()
    {
        lock (_lock)
        {
            _flushQueued = false;
            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        Drain(MaxBatchesPerTurn);
    }

    private void Drain(int maxBatches)
    {
        for (int turn = 0; ; turn++)
        {
            Batch batch;
            lock (_lock)
            {
                bool more = _ready.Count > 0 || _current.Count > 0;
                if (!more || turn == maxBatches)
                {
                    _sending = false;
                    if (more && !_flushQueued)
                    {
                        _flushQueued = true;
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    }

                    return;
                }

                if (!_ready.TryDequeue(out batch!))
                {
                    batch = _current;
                    _current = RentLocked();
                }
            }

            Send(batch);
            batch.Clear();
            lock (_lock)
            {
                if (_spare.Count < MaxSpareBatches)
                {
                    _spare.Push(batch);
                }
            }
        }
    }

    private Batch RentLocked() => _spare.TryPop(out Batch? batch) ? batch : new Batch(_slotSize);

    private void Send(Batch batch)
    {
        int next = 0;
        int sent = 0;
        long bytes = 0;
        while (next < batch.Count)
        {
            int result;
            try
            {
                result = LinuxMultipleMessages.Send(_socket.SafeHandle, batch.Headers, next, batch.Count - next);
            }
            catch (ObjectDisposedException)
            {
                UdpMetrics.Dropped(DropReason.ShuttingDown, batch.Count - next);
                break;
            }

            if (result > 0)
            {
                for (int i = next; i < next + result; i++)
                {
                    bytes += batch.Headers[i].Length;
                }

                sent += result;
                next += result;
                continue;
            }

            int error = Marshal.GetLastPInvokeError();
            if (error == LinuxMultipleMessages.Interrupted)
            {
                continue;
            }

            if (error == LinuxMultipleMessages.WouldBlock)
            {
                // The socket buffer is full: the remaining datagrams wait for room one by one, as unbatched sends do.
                for (; next < batch.Count; next++)
                {
                    if (SendOne(batch, next))
                    {
                        sent++;
                        bytes += (long)batch.Vectors[next].Length;
                    }
                }

                break;
            }

            // This datagram is lost (an unreachable peer, say), as the network might lose it; the rest still go.
            UdpMetrics.Dropped(DropReason.SendError);
            next++;
        }

        UdpMetrics.DatagramsSent.Add(sent);
        UdpMetrics.BytesSent.Add(bytes);
    }

    private bool SendOne(Batch batch, int index)
    {
        try
        {
            _socket.SendTo(batch.Datagram(index), SocketFlags.None, batch.Address(index));
            return true;
        }
        catch (SocketException)
        {
            UdpMetrics.Dropped(DropReason.SendError);
        }
        catch (ObjectDisposedException)
        {
            UdpMetrics.Dropped(DropReason.ShuttingDown);
        }

        return false;
    }

    /// <summary>Up to <see cref="Capacity"/> datagrams and their addresses, filled in order.</summary>
    private sealed class Batch(int slotSize)
    {
        private readonly DatagramSlots _slots = new(slotSize);
        private readonly SocketAddress[] _peers = new SocketAddress[Capacity];

        public LinuxMultipleMessages.IoVector[] Vectors => _slots.Vectors;

        public LinuxMultipleMessages.MessageHeader[] Headers => _slots.Headers;

        public int Count { get; private set; }

        public void Add(ReadOnlySpan<byte> datagram, SocketAddress peer)
        {
            int i = Count++;
            datagram.CopyTo(_slots.Slot(i));
            peer.Buffer.Span[..peer.Size].CopyTo(_slots.Address(i));
            _slots.Vectors[i].Length = (nuint)datagram.Length;
            _slots.Headers[i].NameLength = (uint)peer.Size;
            _slots.Headers[i].Length = 0;
            _peers[i] = peer;
        }

        public ReadOnlySpan<byte> Datagram(int index) => _slots.Slot(index)[..(int)_slots.Vectors[index].Length];

        public SocketAddress Address(int index) => _peers[index];

        public void Clear()
        {
            Array.Clear(_peers, 0, Count);
            Count = 0;
        }
    }
}

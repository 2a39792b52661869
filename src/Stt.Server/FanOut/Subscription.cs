using System.Runtime.CompilerServices;

namespace Stt.Server.FanOut;

/// <summary>
/// One subscriber of a <see cref="LiveChannel"/>: a bounded queue of shared messages and a pump that drains it into
/// the subscriber's <see cref="ISubscriberSink"/>. Dispose it to unsubscribe.
/// </summary>
/// <remarks>
/// <para>
/// The pump is a work item started on the thread pool when a message arrives in an empty queue; it writes with
/// <see cref="ISubscriberSink.TryWrite"/> until the queue is empty (then it ends: nothing runs or waits while the
/// queue is empty) or the sink is full (then it registers a continuation on
/// <see cref="ISubscriberSink.WaitWritableAsync"/> and resumes on the thread pool). After 64 messages it yields the
/// thread to other subscribers. Before it stops, yields or waits it calls <see cref="ISubscriberSink.Flush"/>, so a
/// subscriber that fell behind gets its backlog in as few frames as the transport allows, and the cost per message
/// falls as the load rises. A throwing sink ends the subscription.
/// </para>
/// <para>
/// Memory bound: at most <see cref="ChannelOptions.SubscriberQueueLimitBytes"/> encoded bytes are queued, counting
/// the message being written. The overflow policy decides what happens beyond that (see
/// <see cref="ChannelOverflowPolicy"/>). Messages are written in sequence order, never twice.
/// </para>
/// <para>
/// Ending the subscription (<see cref="Dispose"/>, a slow-consumer disconnect or a failing sink) releases every queued
/// message at once and counts them as dropped with reason <c>disconnected</c>; the message the pump is writing at that
/// moment is released by the pump when the write returns.
/// </para>
/// </remarks>
public sealed class Subscription : IDisposable, IAsyncDisposable
{
    private const int MessagesPerTurn = 64;

    private readonly Lock _gate = new();
    private readonly LiveChannel _channel;
    private readonly ISubscriberSink _sink;
    private readonly PayloadRing _queue;
    private readonly int _limitBytes;
    private readonly ChannelOverflowPolicy _policy;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PumpWorkItem _pump;
    private readonly Action _onWritable;
    private ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter _writableAwaiter;
    private bool _headBusy;
    private bool _pumping;
    private volatile bool _closed;
    private long _peakBytes;
    private long _delivered;
    private long _dropped;
    private ulong _lastDelivered;

    internal Subscription(LiveChannel channel, long id, ISubscriberSink sink)
    {
        _channel = channel;
        Id = id;
        _sink = sink;
        _limitBytes = channel.Options.SubscriberQueueLimitBytes;
        _policy = channel.Options.Policy;
        _queue = new PayloadRing(16);
        _pump = new PumpWorkItem(this);
        _onWritable = OnWritable;
    }

    /// <summary>The outcome of handing a message to the queue.</summary>
    internal enum EnqueueOutcome
    {
        /// <summary>Queued, possibly after dropping older messages (or the new one) under SkipToNewest.</summary>
        Queued,

        /// <summary>The subscription had already ended; nothing was done.</summary>
        Closed,

        /// <summary>The queue overflowed under Disconnect: the subscription ended and must leave the channel.</summary>
        SlowConsumer,
    }

    /// <summary>The channel subscribed to.</summary>
    public LiveChannel Channel => _channel;

    /// <summary>The subscription's ID, unique within its channel.</summary>
    public long Id { get; }

    /// <summary>Whether the subscription has ended (disposed, disconnected as a slow consumer, or its sink failed).</summary>
    public bool IsClosed => _closed;

    /// <summary>Encoded bytes waiting for the subscriber.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_gate)
            {
                return _queue.Bytes;
            }
        }
    }

    /// <summary>Takes a snapshot of the subscription's lag and counters.</summary>
    public SubscriberStatistics GetStatistics()
    {
        lock (_gate)
        {
            return new SubscriberStatistics(Id, _queue.Count, _queue.Bytes, _peakBytes, _delivered, _dropped, _lastDelivered);
        }
    }

    /// <summary>Unsubscribes: leaves the channel and releases every queued message. Idempotent.</summary>
    public void Dispose()
    {
        _channel.Remove(this);
        End();
    }

    /// <summary>Unsubscribes (see <see cref="Dispose"/>); completes synchronously.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Hands one reference-counted message to the queue (called by the channel under its lock, in sequence order).
    /// </summary>
    /// <param name="payload">The message; the queue takes its own reference when it keeps it.</param>
    /// <param name="dropped">Messages this call dropped for the subscriber (skipped, or everything at a disconnect).</param>
    internal EnqueueOutcome Enqueue(SharedPayload payload, out int dropped)
    {
        dropped = 0;
        bool start = false;
        lock (_gate)
        {
            if (_closed)
            {
                return EnqueueOutcome.Closed;
            }

            if (_queue.Bytes + payload.Length > _limitBytes)
            {
                if (_policy == ChannelOverflowPolicy.Disconnect)
                {
                    dropped = CloseLocked() + 1;
                    _dropped += dropped;
                    return EnqueueOutcome.SlowConsumer;
                }

                // SkipToNewest: drop the oldest messages, but never the one the pump is writing right now.
                SharedPayload? busy = _headBusy ? _queue.PopFront() : null;
                int busyLength = busy?.Length ?? 0;
                while (_queue.Count > 0 && _queue.Bytes + busyLength + payload.Length > _limitBytes)
                {
                    _queue.PopFront().Release();
                    dropped++;
                }

                if (busy is not null)
                {
                    _queue.PushFront(busy);
                }

                if (_queue.Bytes + payload.Length > _limitBytes)
                {
                    // Only the message being written remains and the new one does not fit beside it: skip the new one.
                    dropped++;
                    _dropped += dropped;
                    return EnqueueOutcome.Queued;
                }

                _dropped += dropped;
            }

            payload.AddRef();
            _queue.PushBack(payload);
            if (_queue.Bytes > _peakBytes)
            {
                _peakBytes = _queue.Bytes;
            }

            if (!_pumping)
            {
                _pumping = true;
                start = true;
            }
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_pump, preferLocal: false);
        }

        return EnqueueOutcome.Queued;
    }

    /// <summary>Tells the sink it was dropped as a slow consumer (on the thread pool) and stops a waiting pump.</summary>
    internal void NotifySlowConsumer()
    {
        ThreadPool.UnsafeQueueUserWorkItem(
            static subscription =>
            {
                subscription.CancelWait();
                try
                {
                    subscription._sink.OnSlowConsumer();
                }
#pragma warning disable CA1031 // A failing callback must not take down the thread pool; the subscriber is gone anyway.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            },
            this,
            preferLocal: false);
    }

    /// <summary>Ends the subscription and accounts for the released messages; the caller has left the channel.</summary>
    private void End()
    {
        int released;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            released = CloseLocked();
            _dropped += released;
        }

        _channel.OnDisconnectDrops(released);
        CancelWait();
    }

    /// <summary>Marks the subscription closed and releases the queue except a message the pump is writing.</summary>
    /// <returns>Messages released.</returns>
    private int CloseLocked()
    {
        _closed = true;
        SharedPayload? busy = _headBusy ? _queue.PopFront() : null;
        int released = _queue.ReleaseAll();
        _ = busy; // The pump owns it from now on and releases it when its write returns.
        return released;
    }

    private void CancelWait()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // A sink's cancellation callback failed; the subscription is over either way.
        }
    }

    private void Fail()
    {
        _channel.Remove(this);
        End();
    }

    private void Pump()
    {
        long delivered = 0;
        int turn = 0;
        bool unflushed = false;
        try
        {
            while (true)
            {
                SharedPayload? payload;
                lock (_gate)
                {
                    bool empty = _closed || _queue.Count == 0;
                    if (unflushed && (empty || turn == MessagesPerTurn))
                    {
                        // Send what this turn wrote before the pump stops or yields; the queue is looked at again after,
                        // so a message that arrives meanwhile is not left behind.
                        payload = null;
                    }
                    else if (empty)
                    {
                        _pumping = false;
                        return;
                    }
                    else if (turn == MessagesPerTurn)
                    {
                        // Still pumping; let other subscribers' pumps run.
                        ThreadPool.UnsafeQueueUserWorkItem(_pump, preferLocal: false);
                        return;
                    }
                    else
                    {
                        turn++;
                        payload = _queue.PeekFront();
                        _headBusy = true;
                    }
                }

                if (payload is null)
                {
                    unflushed = false;
                    FlushSink();
                    continue;
                }

                bool written;
                bool failed = false;
                try
                {
                    written = _sink.TryWrite(payload.Message);
                    unflushed |= written;
                }
#pragma warning disable CA1031 // Any failure of the transport means the subscriber is gone.
                catch (Exception)
#pragma warning restore CA1031
                {
                    written = false;
                    failed = true;
                }

                bool closed;
                lock (_gate)
                {
                    _headBusy = false;
                    closed = _closed;
                    if (written)
                    {
                        delivered++;
                        _delivered++;
                        _lastDelivered = payload.Sequence;
                        if (!closed)
                        {
                            _ = _queue.PopFront();
                        }
                    }
                    else if (closed)
                    {
                        _dropped++;
                    }

                    if (closed)
                    {
                        _pumping = false;
                    }
                }

                if (written || closed)
                {
                    // Either the write consumed the queue's reference or the subscription ended while writing and
                    // left the reference to the pump.
                    payload.Release();
                }

                if (closed)
                {
                    if (!written)
                    {
                        _channel.OnDisconnectDrops(1);
                    }

                    return;
                }

                if (failed)
                {
                    Fail();
                    return;
                }

                if (!written)
                {
                    if (unflushed)
                    {
                        // The sink is full: what it holds must leave before it can have room.
                        unflushed = false;
                        FlushSink();
                    }

                    if (!WaitWritable())
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            _channel.OnDelivered(delivered);
        }
    }

    private void FlushSink()
    {
        try
        {
            _sink.Flush();
        }
#pragma warning disable CA1031 // Any failure of the transport means the subscriber is gone.
        catch (Exception)
#pragma warning restore CA1031
        {
            Fail();
        }
    }

    /// <summary>Starts waiting for the sink; returns true when it is already writable and the pump may go on.</summary>
    private bool WaitWritable()
    {
        ValueTask wait;
        try
        {
            wait = _sink.WaitWritableAsync(_cancellation.Token);
            if (wait.IsCompleted)
            {
                wait.GetAwaiter().GetResult();
                return true;
            }
        }
#pragma warning disable CA1031 // A failed wait means the subscriber is gone.
        catch (Exception)
#pragma warning restore CA1031
        {
            Fail();
            return false;
        }

        _writableAwaiter = wait.ConfigureAwait(false).GetAwaiter();
        _writableAwaiter.UnsafeOnCompleted(_onWritable);
        return false;
    }

    private void OnWritable()
    {
        ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter awaiter = _writableAwaiter;
        _writableAwaiter = default;
        try
        {
            awaiter.GetResult();
        }
#pragma warning disable CA1031 // A failed wait means the subscriber is gone.
        catch (Exception)
#pragma warning restore CA1031
        {
            Fail();
            lock (_gate)
            {
                _pumping = false;
            }

            return;
        }

        // Resume on the thread pool, not inside whatever code made the sink writable.
        ThreadPool.UnsafeQueueUserWorkItem(_pump, preferLocal: false);
    }

    private sealed class PumpWorkItem(Subscription owner) : IThreadPoolWorkItem
    {
        public void Execute() => owner.Pump();
    }
}

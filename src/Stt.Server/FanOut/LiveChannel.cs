namespace Stt.Server.FanOut;

/// <summary>
/// One named live channel of the <see cref="ChannelHub"/>: numbers published messages, serialises each once into a
/// shared pooled buffer and queues a reference to every subscriber. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Sequence numbers start at 1 and increase by one per published message; concurrent publishers are serialised by the
/// channel lock, so every subscriber sees one order. A publish takes the channel lock and one short lock per
/// subscriber queue, never waits for a subscriber, and in steady state allocates nothing (the payload object and its
/// buffer come from pools).
/// </para>
/// <para>
/// Memory bound: the replay buffer holds at most <see cref="ChannelOptions.ReplayMessages"/> messages and
/// <see cref="ChannelOptions.ReplayBytes"/> encoded bytes; each subscriber queue at most
/// <see cref="ChannelOptions.SubscriberQueueLimitBytes"/>.
/// </para>
/// </remarks>
public sealed class LiveChannel
{
    private readonly Lock _gate = new();
    private readonly ChannelHub _hub;
    private readonly PayloadRing _replay;
    private Subscription[] _subscribers = [];
    private ulong _sequence;
    private long _published;
    private long _delivered;
    private long _dropped;
    private long _nextSubscriptionId;

    internal LiveChannel(ChannelHub hub, string name, ChannelOptions options)
    {
        _hub = hub;
        Name = name;
        Options = options;
        _replay = new PayloadRing(Math.Min(options.ReplayMessages, 1024));
    }

    /// <summary>The channel name.</summary>
    public string Name { get; }

    /// <summary>The options in force for this channel.</summary>
    public ChannelOptions Options { get; }

    /// <summary>Current subscriptions.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Messages published so far.</summary>
    public long MessagesPublished => Interlocked.Read(ref _published);

    /// <summary>Sequence of the last message published; 0 before the first.</summary>
    public ulong LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _sequence;
            }
        }
    }

    /// <summary>Encoded bytes queued across this channel's subscribers.</summary>
    internal long QueuedBytes
    {
        get
        {
            long total = 0;
            foreach (Subscription subscription in Volatile.Read(ref _subscribers))
            {
                total += subscription.QueuedBytes;
            }

            return total;
        }
    }

    /// <summary>
    /// Publishes one message: assigns the next sequence number, encodes the subscriber message (DATA tag, <c>varint sequence</c>, payload) once and
    /// queues it for every subscriber and the replay buffer. Never blocks on a subscriber.
    /// </summary>
    /// <param name="payload">The message payload; copied before the call returns.</param>
    /// <returns>The message's sequence number.</returns>
    /// <exception cref="ArgumentException">The payload is longer than <see cref="ChannelOptions.MaxMessageLength"/>.</exception>
    public ulong Publish(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > Options.MaxMessageLength)
        {
            throw new ArgumentException($"The payload is longer than the channel's limit of {Options.MaxMessageLength} bytes.", nameof(payload));
        }

        ulong sequence;
        long skipped = 0;
        long disconnected = 0;
        int slowConsumers = 0;
        SharedPayload shared;
        lock (_gate)
        {
            sequence = ++_sequence;
            shared = _hub.PayloadPool.Rent(sequence, payload);
            if (Options.ReplayMessages > 0)
            {
                shared.AddRef();
                _replay.PushBack(shared);
                while (_replay.Count > Options.ReplayMessages || _replay.Bytes > Options.ReplayBytes)
                {
                    _replay.PopFront().Release();
                }
            }

            foreach (Subscription subscription in _subscribers)
            {
                switch (subscription.Enqueue(shared, out int dropped))
                {
                    case Subscription.EnqueueOutcome.SlowConsumer:
                        disconnected += dropped;
                        slowConsumers++;
                        subscription.NotifySlowConsumer();
                        break;
                    case Subscription.EnqueueOutcome.Queued:
                        skipped += dropped;
                        break;
                    default:
                        break;
                }
            }

            if (slowConsumers > 0)
            {
                Volatile.Write(ref _subscribers, Array.FindAll(_subscribers, static s => !s.IsClosed));
            }

            _published++;
        }

        shared.Release();
        FanOutMetrics metrics = _hub.Metrics;
        metrics.Published();
        if (skipped > 0)
        {
            Interlocked.Add(ref _dropped, skipped);
            metrics.Skipped(skipped);
        }

        if (slowConsumers > 0)
        {
            Interlocked.Add(ref _dropped, disconnected);
            metrics.Disconnected(disconnected);
            for (int i = 0; i < slowConsumers; i++)
            {
                metrics.SlowConsumerDisconnect();
            }
        }

        return sequence;
    }

    /// <summary>Subscribes a sink to the channel.</summary>
    /// <param name="sink">The subscriber's transport.</param>
    /// <param name="replay">
    /// Whether the subscriber first receives the replay buffer's messages (in order, then the live ones, with no
    /// duplicate and no gap between them).
    /// </param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public Subscription Subscribe(ISubscriberSink sink, bool replay = true)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            var subscription = new Subscription(this, ++_nextSubscriptionId, sink);
            if (replay)
            {
                // The replay buffer's bytes never exceed the queue limit (validated), so this never overflows.
                for (int i = 0; i < _replay.Count; i++)
                {
                    _ = subscription.Enqueue(_replay[i], out _);
                }
            }

            Subscription[] current = _subscribers;
            var larger = new Subscription[current.Length + 1];
            current.CopyTo(larger, 0);
            larger[^1] = subscription;
            Volatile.Write(ref _subscribers, larger);
            return subscription;
        }
    }

    /// <summary>Takes a snapshot of the channel and its subscribers.</summary>
    public ChannelStatistics GetStatistics()
    {
        Subscription[] subscribers = Volatile.Read(ref _subscribers);
        var perSubscriber = new SubscriberStatistics[subscribers.Length];
        for (int i = 0; i < subscribers.Length; i++)
        {
            perSubscriber[i] = subscribers[i].GetStatistics();
        }

        lock (_gate)
        {
            return new ChannelStatistics(
                Name,
                subscribers.Length,
                _published,
                _sequence,
                Interlocked.Read(ref _delivered),
                Interlocked.Read(ref _dropped),
                _replay.Count,
                _replay.Bytes,
                perSubscriber);
        }
    }

    /// <summary>Removes a subscription from the fan-out list (idempotent).</summary>
    internal void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            Subscription[] current = _subscribers;
            int index = Array.IndexOf(current, subscription);
            if (index < 0)
            {
                return;
            }

            var smaller = new Subscription[current.Length - 1];
            Array.Copy(current, 0, smaller, 0, index);
            Array.Copy(current, index + 1, smaller, index, current.Length - index - 1);
            Volatile.Write(ref _subscribers, smaller);
        }
    }

    /// <summary>Counts messages a pump delivered.</summary>
    internal void OnDelivered(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _delivered, count);
            _hub.Metrics.Delivered(count);
        }
    }

    /// <summary>Counts messages released undelivered when a subscription ended.</summary>
    internal void OnDisconnectDrops(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _dropped, count);
            _hub.Metrics.Disconnected(count);
        }
    }

    /// <summary>Releases the replay buffer (the hub is being disposed).</summary>
    internal void ReleaseReplay()
    {
        lock (_gate)
        {
            _ = _replay.ReleaseAll();
        }
    }
}

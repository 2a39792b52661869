using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Stt.Server.FanOut;

/// <summary>
/// The node's live fan-out hub: named channels, each delivering one publisher's messages to many subscribers.
/// Thread-safe; one per node.
/// </summary>
/// <remarks>
/// <para>
/// Channels are created on first publish or subscribe, up to <see cref="ChannelHubOptions.MaxChannels"/>; their
/// options come from <see cref="ChannelHubOptions.DefaultChannel"/> and the per-name overrides. Channel names are
/// 1 to <see cref="ChannelHubOptions.MaxChannelNameLength"/> characters, compared ordinally.
/// </para>
/// <para>
/// Memory bound: per channel, its replay buffer (<see cref="ChannelOptions.ReplayBytes"/>) plus
/// <see cref="ChannelOptions.SubscriberQueueLimitBytes"/> per subscriber; see <see cref="ChannelOptions"/>.
/// </para>
/// <para>Metrics go to the <c>Stt.Server</c> meter (<c>stt.fanout.*</c>).</para>
/// </remarks>
public sealed class ChannelHub : IDisposable
{
    private readonly ConcurrentDictionary<string, LiveChannel> _channels = new(StringComparer.Ordinal);
    private readonly Lock _createGate = new();
    private readonly ChannelHubOptions _options;

    /// <summary>Creates a hub.</summary>
    /// <param name="options">Hub and channel settings; defaults when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>Stt.Server</c> meter; when <see langword="null"/> the hub owns its meter.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="ChannelHubOptions.Validate"/>).</exception>
    public ChannelHub(ChannelHubOptions? options = null, IMeterFactory? meterFactory = null)
    {
        _options = options ?? new ChannelHubOptions();
        _options.Validate();
        PayloadPool = new SharedPayloadPool(1024);
        Metrics = new FanOutMetrics(this, meterFactory);
    }

    /// <summary>Current channels.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Current subscriptions across channels.</summary>
    public int SubscriberCount
    {
        get
        {
            int total = 0;
            foreach (KeyValuePair<string, LiveChannel> pair in _channels)
            {
                total += pair.Value.SubscriberCount;
            }

            return total;
        }
    }

    /// <summary>Encoded bytes queued across all subscribers.</summary>
    public long QueuedBytes
    {
        get
        {
            long total = 0;
            foreach (KeyValuePair<string, LiveChannel> pair in _channels)
            {
                total += pair.Value.QueuedBytes;
            }

            return total;
        }
    }

    /// <summary>The pool of shared message buffers (its counters are for tests).</summary>
    internal SharedPayloadPool PayloadPool { get; }

    internal FanOutMetrics Metrics { get; }

    /// <summary>The options that apply to <paramref name="channel"/>, whether or not it exists yet.</summary>
    public ChannelOptions GetChannelOptions(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return _options.Resolve(channel);
    }

    /// <summary>
    /// Whether the peer with node ID <paramref name="peerNodeId"/> may publish to <paramref name="channel"/>.
    /// </summary>
    /// <remarks>
    /// Default: any authenticated peer (any non-empty node ID) may publish. When the channel's options carry
    /// <see cref="ChannelOptions.AllowedPublishers"/>, only those node IDs (hex, case-insensitive) may. An empty node ID
    /// (unauthenticated) never may. Allocates nothing for node IDs up to 64 bytes.
    /// </remarks>
    public bool CanPublish(string channel, ReadOnlySpan<byte> peerNodeId)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return !peerNodeId.IsEmpty && _options.Resolve(channel).AllowsPublisher(peerNodeId);
    }

    /// <summary>Returns the named channel, creating it when needed.</summary>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    /// <exception cref="InvalidOperationException">The hub already holds <see cref="ChannelHubOptions.MaxChannels"/> channels.</exception>
    public LiveChannel GetOrCreateChannel(string name) =>
        TryGetOrCreateChannel(name, out LiveChannel? channel)
            ? channel
            : throw new InvalidOperationException($"The hub already holds its maximum of {_options.MaxChannels} channels.");

    /// <summary>Returns the named channel, creating it when needed; <see langword="false"/> when the channel cap is reached.</summary>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    public bool TryGetOrCreateChannel(string name, [NotNullWhen(true)] out LiveChannel? channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(name.Length, ChannelHubOptions.MaxChannelNameLength, nameof(name));
        if (_channels.TryGetValue(name, out channel))
        {
            return true;
        }

        lock (_createGate)
        {
            if (_channels.TryGetValue(name, out channel))
            {
                return true;
            }

            if (_channels.Count >= _options.MaxChannels)
            {
                channel = null;
                return false;
            }

            channel = new LiveChannel(this, name, _options.Resolve(name));
            _channels[name] = channel;
            return true;
        }
    }

    /// <summary>Returns the named channel if it exists.</summary>
    public bool TryGetChannel(string name, [NotNullWhen(true)] out LiveChannel? channel)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _channels.TryGetValue(name, out channel);
    }

    /// <summary>Publishes to the named channel, creating it when needed (see <see cref="LiveChannel.Publish"/>).</summary>
    /// <returns>The message's sequence number.</returns>
    /// <exception cref="ArgumentException">The name is invalid or the payload too long.</exception>
    /// <exception cref="InvalidOperationException">The channel does not exist and the channel cap is reached.</exception>
    public ulong Publish(string channel, ReadOnlySpan<byte> payload) => GetOrCreateChannel(channel).Publish(payload);

    /// <summary>Subscribes to the named channel, creating it when needed (see <see cref="LiveChannel.Subscribe"/>).</summary>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="InvalidOperationException">The channel does not exist and the channel cap is reached.</exception>
    public Subscription Subscribe(string channel, ISubscriberSink sink, bool replay = true) =>
        GetOrCreateChannel(channel).Subscribe(sink, replay);

    /// <summary>Takes a snapshot of every channel and the hub totals.</summary>
    public HubStatistics GetStatistics()
    {
        var channels = new List<ChannelStatistics>(_channels.Count);
        foreach (KeyValuePair<string, LiveChannel> pair in _channels)
        {
            channels.Add(pair.Value.GetStatistics());
        }

        channels.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        int subscribers = 0;
        long published = 0;
        long delivered = 0;
        long dropped = 0;
        long queued = 0;
        foreach (ChannelStatistics channel in channels)
        {
            subscribers += channel.SubscriberCount;
            published += channel.MessagesPublished;
            delivered += channel.MessagesDelivered;
            dropped += channel.MessagesDropped;
            foreach (SubscriberStatistics subscriber in channel.Subscribers)
            {
                queued += subscriber.QueuedBytes;
            }
        }

        return new HubStatistics(channels.Count, subscribers, published, delivered, dropped, queued, channels);
    }

    /// <summary>Releases the replay buffers and the hub's own meter. Subscriptions should be disposed first.</summary>
    public void Dispose()
    {
        foreach (KeyValuePair<string, LiveChannel> pair in _channels)
        {
            pair.Value.ReleaseReplay();
        }

        Metrics.Dispose();
    }
}

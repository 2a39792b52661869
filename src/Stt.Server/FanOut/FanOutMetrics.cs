using System.Diagnostics.Metrics;

namespace Stt.Server.FanOut;

/// <summary>
/// The fan-out hub's instruments on the <c>Stt.Server</c> meter: message counters (published once per message,
/// delivered and dropped once per subscriber and message) and observable gauges read from the hub on collection.
/// </summary>
internal sealed class FanOutMetrics : IDisposable
{
    /// <summary>Name of the node's meter.</summary>
    public const string MeterName = "Stt.Server";

    private static readonly KeyValuePair<string, object?> SkippedTag = new("reason", "skipped");
    private static readonly KeyValuePair<string, object?> DisconnectedTag = new("reason", "disconnected");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _slowConsumerDisconnects;

    public FanOutMetrics(ChannelHub hub, IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _published = _meter.CreateCounter<long>("stt.fanout.messages.published", "{message}", "Messages published into channels.");
        _delivered = _meter.CreateCounter<long>("stt.fanout.messages.delivered", "{message}", "Messages handed to subscriber transports.");
        _dropped = _meter.CreateCounter<long>("stt.fanout.messages.dropped", "{message}", "Messages a subscriber never received: skipped (SkipToNewest) or disconnected.");
        _slowConsumerDisconnects = _meter.CreateCounter<long>("stt.fanout.slow_consumer.disconnects", "{subscriber}", "Subscribers removed for being too slow.");
        _meter.CreateObservableUpDownCounter("stt.fanout.queue.bytes", () => hub.QueuedBytes, "By", "Bytes queued across all subscribers.");
        _meter.CreateObservableUpDownCounter("stt.fanout.subscribers", () => (long)hub.SubscriberCount, "{subscriber}", "Current subscriptions.");
        _meter.CreateObservableUpDownCounter("stt.fanout.channels", () => (long)hub.ChannelCount, "{channel}", "Current channels.");
    }

    /// <summary>The meter (tests filter on it, since other hubs share its name).</summary>
    internal Meter Meter => _meter;

    public void Published() => _published.Add(1);

    public void Delivered(long count)
    {
        if (count > 0)
        {
            _delivered.Add(count);
        }
    }

    public void Skipped(long count)
    {
        if (count > 0)
        {
            _dropped.Add(count, SkippedTag);
        }
    }

    public void Disconnected(long count)
    {
        if (count > 0)
        {
            _dropped.Add(count, DisconnectedTag);
        }
    }

    public void SlowConsumerDisconnect() => _slowConsumerDisconnects.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

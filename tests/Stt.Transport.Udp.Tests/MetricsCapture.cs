using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Stt.Transport.Udp.Tests;

/// <summary>Sums every measurement of the transport's meter, per instrument and tag set, while it lives.</summary>
public sealed class MetricsCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MetricsCapture()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Stt.Transport.Udp")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                key += "|" + tag.Key + "=" + tag.Value;
            }

            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements whose tags include every given tag.</summary>
    public long Get(string instrument, params string[] tags)
    {
        long total = 0;
        foreach (KeyValuePair<string, long> entry in _sums)
        {
            string[] parts = entry.Key.Split('|');
            if (parts[0] == instrument && tags.All(t => parts.Skip(1).Contains(t)))
            {
                total += entry.Value;
            }
        }

        return total;
    }

    public string Dump() => string.Join(Environment.NewLine, _sums.OrderBy(e => e.Key).Select(e => $"{e.Key} = {e.Value}"));

    public void Dispose() => _listener.Dispose();
}

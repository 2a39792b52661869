using System.Diagnostics.Metrics;

namespace Stt.Server.Tests.BadInput;

/// <summary>
/// Sums one counter's measurements (optionally only those whose <c>reason</c> or <c>result</c> tag matches) while it lives.
/// Instruments are process-wide and other tests run in parallel, so assert increases, not exact totals.
/// </summary>
internal sealed class CounterWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string? _tagValue;
    private long _total;

    public CounterWatch(string instrument, string? tagValue = null)
    {
        _tagValue = tagValue;
        _listener.InstrumentPublished = (i, l) =>
        {
            if (i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (_tagValue is not null)
            {
                bool match = false;
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    match |= (tag.Key is "reason" or "result") && Equals(tag.Value, _tagValue);
                }

                if (!match)
                {
                    return;
                }
            }

            Interlocked.Add(ref _total, value);
        });
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}

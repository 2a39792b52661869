using System.Diagnostics.Metrics;

namespace Stt.Server.Content;

/// <summary>The content store's instruments on the node's <c>Stt.Server</c> meter.</summary>
public sealed class ContentMetrics : IDisposable
{
    /// <summary>Name of the node's meter.</summary>
    public const string MeterName = "Stt.Server";

    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public ContentMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _ownsMeter = meterFactory is null;
        IntegrityFailures = Meter.CreateCounter<long>("stt.content.integrity.failures", "{chunk}",
            "Chunk reads that failed verification (missing, wrong length or wrong SHA-256); tag reason.");
        ChunksServed = Meter.CreateCounter<long>("stt.content.chunks.served", "{chunk}", "Chunks read and verified.");
        BytesServed = Meter.CreateCounter<long>("stt.content.bytes.served", "By", "Bytes of chunks read and verified.");
    }

    /// <summary>The meter holding the instruments.</summary>
    public Meter Meter { get; }

    /// <summary><c>stt.content.integrity.failures</c>, tagged <c>reason</c> = missing, length or hash.</summary>
    public Counter<long> IntegrityFailures { get; }

    /// <summary><c>stt.content.chunks.served</c>.</summary>
    public Counter<long> ChunksServed { get; }

    /// <summary><c>stt.content.bytes.served</c>.</summary>
    public Counter<long> BytesServed { get; }

    /// <summary>Disposes the meter when this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}

namespace Stt.Benchmarks.Udp;

/// <summary>One throughput figure: datagrams that arrived, and the payload (application bytes for STT) they carried.</summary>
internal readonly record struct Measurement(long Datagrams, long Bytes, TimeSpan Elapsed)
{
    public double DatagramsPerSecond => Datagrams / Elapsed.TotalSeconds;

    public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;
}

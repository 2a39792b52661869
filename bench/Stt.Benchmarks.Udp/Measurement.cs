namespace Stt.Benchmarks.Udp;

/// <summary>One throughput figure: datagrams that arrived, the payload (application bytes for STT) they carried, and the bytes the process allocated meanwhile.</summary>
internal readonly record struct Measurement(long Datagrams, long Bytes, TimeSpan Elapsed, long AllocatedBytes = 0)
{
    public double DatagramsPerSecond => Datagrams / Elapsed.TotalSeconds;

    public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;

    public double AllocatedPerDatagram => Datagrams == 0 ? 0 : (double)AllocatedBytes / Datagrams;
}

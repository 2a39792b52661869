using System.Diagnostics;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// Publish-to-receive latencies in 10 us buckets up to 5 s (one overflow bucket beyond), filled concurrently by every
/// subscriber with one interlocked increment and no allocation.
/// </summary>
internal sealed class LatencyHistogram
{
    private const long BucketMicroseconds = 10;
    private const int Buckets = 500_000;
    private readonly long[] _counts = new long[Buckets + 1];

    public void Record(long sentTimestamp, long receivedTimestamp)
    {
        long micros = (receivedTimestamp - sentTimestamp) * 1_000_000 / Stopwatch.Frequency;
        long bucket = Math.Clamp(micros / BucketMicroseconds, 0, Buckets);
        Interlocked.Increment(ref _counts[bucket]);
    }

    public long Count => _counts.Sum();

    /// <summary>The latency in milliseconds below which <paramref name="fraction"/> of the samples lie (upper bucket edge).</summary>
    public double PercentileMs(double fraction)
    {
        long total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        long target = (long)Math.Ceiling(total * fraction);
        long seen = 0;
        for (int i = 0; i <= Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                return (i + 1) * BucketMicroseconds / 1000.0;
            }
        }

        return double.PositiveInfinity;
    }
}

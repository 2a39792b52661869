namespace Stt.Protocol.Tests.Recovery.Congestion;

/// <summary>
/// A clock whose only purpose is its <see cref="TimeProvider.TimestampFrequency"/>: congestion control reads nothing
/// else, and an odd frequency (neither TimeSpan ticks nor a power of ten) exposes unit mix-ups and rounding drift.
/// </summary>
internal sealed class FixedFrequencyTimeProvider(long frequency) : TimeProvider
{
    public override long TimestampFrequency => frequency;

    public override long GetTimestamp() => 0;

    /// <summary>The number of timestamp ticks in <paramref name="duration"/>, exactly when it divides evenly.</summary>
    public long Ticks(TimeSpan duration) => (long)((Int128)duration.Ticks * frequency / TimeSpan.TicksPerSecond);
}

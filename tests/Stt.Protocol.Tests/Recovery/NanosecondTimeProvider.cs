using Microsoft.Extensions.Time.Testing;

namespace Stt.Protocol.Tests.Recovery;

/// <summary>
/// A <see cref="FakeTimeProvider"/> whose timestamps count nanoseconds instead of <see cref="TimeSpan"/> ticks,
/// so that code mixing up timestamp units and TimeSpan ticks fails by a factor of 100.
/// </summary>
internal sealed class NanosecondTimeProvider : FakeTimeProvider
{
    private const long NanosecondsPerTick = 100;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond * NanosecondsPerTick;

    public override long GetTimestamp() => base.GetTimestamp() * NanosecondsPerTick;

    /// <summary>The timestamp <paramref name="offset"/> after <paramref name="timestamp"/>.</summary>
    public static long After(long timestamp, TimeSpan offset) => timestamp + (offset.Ticks * NanosecondsPerTick);

    /// <summary>Advances the clock by <paramref name="milliseconds"/> and returns the new timestamp.</summary>
    public long AdvanceMilliseconds(double milliseconds)
    {
        Advance(TimeSpan.FromMilliseconds(milliseconds));
        return GetTimestamp();
    }
}

using System.Diagnostics;

namespace Stt.Protocol.Recovery.Internal;

/// <summary>Arithmetic on <see cref="TimeProvider"/> timestamps, whose unit is 1 / TimestampFrequency seconds.</summary>
internal static class TimestampMath
{
    /// <summary>The deadline that never comes.</summary>
    public const long Never = long.MaxValue;

    /// <summary>
    /// Converts a non-negative duration to timestamp ticks, rounding up so that a deadline built from it
    /// never fires early, and saturating at <see cref="Never"/>.
    /// </summary>
    public static long ToTimestampTicks(TimeSpan duration, long frequency)
    {
        Debug.Assert(duration >= TimeSpan.Zero);
        Debug.Assert(frequency > 0);
        Int128 scaled = (Int128)duration.Ticks * frequency;
        (Int128 quotient, Int128 remainder) = Int128.DivRem(scaled, TimeSpan.TicksPerSecond);
        if (remainder != 0)
        {
            quotient++;
        }

        return quotient >= long.MaxValue ? Never : (long)quotient;
    }

    /// <summary>Adds a non-negative tick count to a timestamp, saturating at <see cref="Never"/>.</summary>
    public static long Add(long timestamp, long ticks)
    {
        Debug.Assert(ticks >= 0);
        return timestamp > 0 && ticks > long.MaxValue - timestamp ? Never : timestamp + ticks;
    }

    /// <summary>Multiplies a non-negative tick count by 2^<paramref name="exponent"/>, saturating at <see cref="Never"/>.</summary>
    public static long ShiftLeft(long ticks, int exponent)
    {
        Debug.Assert(ticks >= 0 && exponent >= 0);
        if (ticks == 0)
        {
            return 0;
        }

        return exponent >= 63 || ticks > (long.MaxValue >> exponent) ? Never : ticks << exponent;
    }
}

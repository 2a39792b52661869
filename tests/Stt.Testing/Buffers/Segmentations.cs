using System.Buffers;

namespace Stt.Testing.Buffers;

/// <summary>
/// Expands a byte fixture into every buffer layout a parser must handle: one right-sized segment, one segment inside
/// a larger array between guard bytes, every two-way split (including an empty first or last segment), and one byte
/// per segment.
/// </summary>
public static class Segmentations
{
    /// <summary>Value of the guard bytes around the fixture in the <c>guarded</c> layout.</summary>
    public const byte GuardByte = 0xA5;

    /// <summary>Number of guard bytes on each side in the <c>guarded</c> layout.</summary>
    public const int GuardLength = 16;

    /// <summary>Yields every layout of <paramref name="fixture"/>: <c>fixture.Length + 4</c> of them.</summary>
    public static IEnumerable<Segmentation> Of(byte[] fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        yield return new Segmentation("single", fixture, new ReadOnlySequence<byte>(fixture.AsSpan().ToArray()));

        byte[] guarded = new byte[fixture.Length + (2 * GuardLength)];
        guarded.AsSpan().Fill(GuardByte);
        fixture.CopyTo(guarded, GuardLength);
        yield return new Segmentation("guarded", fixture, new ReadOnlySequence<byte>(guarded, GuardLength, fixture.Length));

        for (int split = 0; split <= fixture.Length; split++)
        {
            yield return new Segmentation(
                $"split@{split}",
                fixture,
                FromSegments(fixture.AsSpan(0, split).ToArray(), fixture.AsSpan(split).ToArray()));
        }

        var bytes = new ReadOnlyMemory<byte>[fixture.Length];
        for (int i = 0; i < fixture.Length; i++)
        {
            bytes[i] = new[] { fixture[i] };
        }

        yield return new Segmentation("bytewise", fixture, FromSegments(bytes));
    }

    /// <summary>Builds a sequence whose segments are exactly <paramref name="segments"/> (empty ones included).</summary>
    public static ReadOnlySequence<byte> FromSegments(params ReadOnlyMemory<byte>[] segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(segments[0], 0);
        TestSegment last = first;
        for (int i = 1; i < segments.Length; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}

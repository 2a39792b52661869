using CsCheck;
using Stt.Protocol.Streams.Internal;
using Xunit;

namespace Stt.Protocol.Tests.Streams.Internal;

public sealed class RangeSetTests
{
    [Fact]
    public void Add_AdjacentAndOverlappingRanges_MergeIntoOne()
    {
        var set = new RangeSet();

        set.Add(10, 20);
        set.Add(30, 40);
        set.Add(20, 30);
        set.Add(5, 12);

        Assert.Equal([(5UL, 40UL)], Ranges(set));
    }

    [Fact]
    public void Remove_MiddleOfRange_SplitsIt()
    {
        var set = new RangeSet();
        set.Add(0, 100);

        set.Remove(40, 60);

        Assert.Equal([(0UL, 40UL), (60UL, 100UL)], Ranges(set));
    }

    [Fact]
    public void AddAndRemove_RandomOperations_MatchABitmapModel()
    {
        Gen.Select(Gen.Bool, Gen.Int[0, 200], Gen.Int[0, 40]).Array[1, 60].Sample(
            operations =>
            {
                var set = new RangeSet();
                var model = new bool[260];
                foreach ((bool add, int start, int length) in operations)
                {
                    if (add)
                    {
                        set.Add((ulong)start, (ulong)(start + length));
                    }
                    else
                    {
                        set.Remove((ulong)start, (ulong)(start + length));
                    }

                    Array.Fill(model, add, start, length);
                }

                Assert.Equal(ModelRanges(model), Ranges(set));
            },
            iter: 300,
            threads: 1);
    }

    private static List<(ulong, ulong)> Ranges(RangeSet set)
    {
        var ranges = new List<(ulong, ulong)>();
        for (int i = 0; i < set.Count; i++)
        {
            ranges.Add((set.StartAt(i), set.EndAt(i)));
        }

        return ranges;
    }

    private static List<(ulong, ulong)> ModelRanges(bool[] model)
    {
        var ranges = new List<(ulong, ulong)>();
        for (int i = 0; i < model.Length; i++)
        {
            if (!model[i])
            {
                continue;
            }

            int start = i;
            while (i < model.Length && model[i])
            {
                i++;
            }

            ranges.Add(((ulong)start, (ulong)i));
        }

        return ranges;
    }
}

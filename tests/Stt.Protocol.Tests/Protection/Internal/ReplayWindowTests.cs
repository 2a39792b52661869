using Stt.Protocol.Protection.Internal;
using Xunit;

namespace Stt.Protocol.Tests.Protection.Internal;

public sealed class ReplayWindowTests
{
    private readonly ReplayWindow _window = new();

    [Fact]
    public void Check_EmptyWindow_EverySequenceIsNew()
    {
        Assert.True(_window.IsEmpty);
        Assert.Equal(ReplayStatus.New, _window.Check(0));
        Assert.Equal(ReplayStatus.New, _window.Check(5000));
        Assert.Equal(ReplayStatus.New, _window.Check(ulong.MaxValue));
    }

    [Fact]
    public void Check_DoesNotMutate()
    {
        Assert.Equal(ReplayStatus.New, _window.Check(7));
        Assert.Equal(ReplayStatus.New, _window.Check(7));
        Assert.True(_window.IsEmpty);
    }

    [Fact]
    public void Mark_ThenCheck_ReportsDuplicate()
    {
        _window.Mark(0);
        _window.Mark(3);

        Assert.Equal(ReplayStatus.Duplicate, _window.Check(0));
        Assert.Equal(ReplayStatus.Duplicate, _window.Check(3));
        Assert.Equal(ReplayStatus.New, _window.Check(1));
        Assert.Equal(ReplayStatus.New, _window.Check(2));
        Assert.Equal(ReplayStatus.New, _window.Check(4));
        Assert.Equal(3UL, _window.Highest);
    }

    [Fact]
    public void Check_AtHighestMinus2048_TooOldAndOneAboveIsNew()
    {
        _window.Mark(5000);

        Assert.Equal(ReplayStatus.TooOld, _window.Check(5000 - 2048));
        Assert.Equal(ReplayStatus.TooOld, _window.Check(0));
        Assert.Equal(ReplayStatus.New, _window.Check(5000 - 2047));
        Assert.Equal(ReplayStatus.Duplicate, _window.Check(5000));
    }

    [Fact]
    public void Mark_SlideBySmallSteps_ForgetsOnlyWhatLeftTheWindow()
    {
        for (ulong s = 0; s < 10_000; s += 3)
        {
            _window.Mark(s);
        }

        ulong highest = _window.Highest;
        Assert.Equal(9999UL, highest);
        for (ulong s = highest - 2047; s <= highest; s++)
        {
            Assert.Equal(s % 3 == 0 ? ReplayStatus.Duplicate : ReplayStatus.New, _window.Check(s));
        }

        Assert.Equal(ReplayStatus.TooOld, _window.Check(highest - 2048));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(2047)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(100_000)]
    public void Mark_Jump_ClearsBitsOfSequencesItSlidOver(int jump)
    {
        // Fill the whole ring, then jump: every slot the window slid over must read as new, none as a stale duplicate.
        for (ulong s = 0; s < 4096; s++)
        {
            _window.Mark(s);
        }

        ulong target = 4095 + (ulong)jump;
        _window.Mark(target);

        for (ulong s = target - 2047; s <= target; s++)
        {
            ReplayStatus expected = s == target || s <= 4095 ? ReplayStatus.Duplicate : ReplayStatus.New;
            Assert.Equal(expected, _window.Check(s));
        }

        Assert.Equal(ReplayStatus.TooOld, _window.Check(target - 2048));
    }

    [Fact]
    public void Mark_OutOfOrderWithinWindow_DoesNotMoveHighest()
    {
        _window.Mark(3000);
        _window.Mark(1500);

        Assert.Equal(3000UL, _window.Highest);
        Assert.Equal(ReplayStatus.Duplicate, _window.Check(1500));
        Assert.Equal(ReplayStatus.New, _window.Check(1501));
    }
}

using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security.Internal;

public sealed class AmplificationBudgetTests
{
    [Fact]
    public void TryConsume_NothingReceived_Refuses()
    {
        var budget = new AmplificationBudget();
        Assert.False(budget.TryConsume(1));
        Assert.True(budget.TryConsume(0));
    }

    [Fact]
    public void TryConsume_ExactlyThreeTimesReceived_SucceedsThenRefusesOneMoreByte()
    {
        var budget = new AmplificationBudget();
        budget.OnReceived(1200);
        Assert.True(budget.TryConsume(3000));
        Assert.True(budget.TryConsume(600));
        Assert.Equal(0, budget.Remaining);
        Assert.False(budget.TryConsume(1));
    }

    [Fact]
    public void TryConsume_MoreThanRemaining_TakesNothing()
    {
        var budget = new AmplificationBudget();
        budget.OnReceived(100);
        Assert.False(budget.TryConsume(301));
        Assert.Equal(300, budget.Remaining);
        Assert.True(budget.TryConsume(300));
    }

    [Fact]
    public void OnReceived_SeveralDatagrams_Accumulates()
    {
        var budget = new AmplificationBudget();
        budget.OnReceived(1200);
        Assert.True(budget.TryConsume(3600));
        budget.OnReceived(50);
        Assert.Equal(150, budget.Remaining);
    }

    [Fact]
    public void MarkValidated_Exhausted_AllowsAnything()
    {
        var budget = new AmplificationBudget();
        Assert.False(budget.IsValidated);
        budget.MarkValidated();
        Assert.True(budget.IsValidated);
        Assert.True(budget.TryConsume(int.MaxValue));
        budget.OnReceived(10);
        Assert.True(budget.TryConsume(int.MaxValue));
        Assert.Equal(long.MaxValue, budget.Remaining);
    }

    [Fact]
    public void OnReceived_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmplificationBudget().OnReceived(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmplificationBudget().TryConsume(-1));
    }

    [Fact]
    public void OnReceived_HugeTotals_NeverOverflowsIntoValidated()
    {
        var budget = new AmplificationBudget();
        for (int i = 0; i < 1_000; i++)
        {
            budget.OnReceived(int.MaxValue);
        }

        Assert.False(budget.IsValidated);
        Assert.True(budget.Remaining > 0);
    }

    [Fact]
    public void TryConsume_ConcurrentSenders_NeverExceedThreeTimes()
    {
        var budget = new AmplificationBudget();
        budget.OnReceived(1000);
        int sent = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (budget.TryConsume(7))
            {
                Interlocked.Add(ref sent, 7);
            }
        });
        Assert.Equal(2996, sent);
        Assert.Equal(4, budget.Remaining);
    }
}

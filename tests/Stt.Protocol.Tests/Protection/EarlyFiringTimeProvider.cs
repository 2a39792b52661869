using Microsoft.Extensions.Time.Testing;

namespace Stt.Protocol.Tests.Protection;

/// <summary>
/// A virtual clock whose timers fire at once, whenever they are created or changed: the worst case of a timer
/// callback that runs early or belongs to an earlier period.
/// </summary>
internal sealed class EarlyFiringTimeProvider : TimeProvider
{
    public FakeTimeProvider Clock { get; } = new();

    public int TimerCallbacks { get; private set; }

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Fire();
        return timer;
    }

    private sealed class Timer(EarlyFiringTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Fire();
            return true;
        }

        public void Fire()
        {
            owner.TimerCallbacks++;
            callback(state);
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

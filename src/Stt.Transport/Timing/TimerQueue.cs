using Stt.Transport.Internal;

namespace Stt.Transport.Timing;

/// <summary>
/// One timer for every session of an endpoint: a priority queue of (deadline, target) drained by one loop, woken by a
/// single <see cref="ITimer"/> armed for the earliest deadline.
/// </summary>
/// <remarks>
/// A target keeps at most one live entry, the earliest; when its deadline moves later, the old entry fires, the target
/// finds nothing due and schedules again. Entries superseded by an earlier deadline are skipped when popped.
/// Thread-safe. Shared by every session of a UDP endpoint, or of a WebSocket host; one <see cref="RunAsync"/> loop
/// serves them all, so a session costs no timer or thread of its own.
/// </remarks>
public sealed class TimerQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ITimerTarget, long> _queue = new();
    private readonly List<ITimerTarget> _due = [];
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly AsyncSignal _wake = new();
    private long _armedFor = long.MaxValue;
    private int _wakePending;

    /// <summary>Creates the queue; nothing runs until <see cref="RunAsync"/> is started.</summary>
    /// <param name="timeProvider">The clock whose timestamps <see cref="Schedule"/> takes.</param>
    public TimerQueue(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _timer = timeProvider.CreateTimer(static state => ((TimerQueue)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The clock of the queue's deadlines.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Wakes <paramref name="target"/> once <paramref name="deadline"/> has passed, unless it is already due earlier.</summary>
    /// <param name="target">What to wake.</param>
    /// <param name="deadline">A <see cref="TimeProvider.GetTimestamp"/> value; <see cref="long.MaxValue"/> schedules nothing.</param>
    public void Schedule(ITimerTarget target, long deadline)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (deadline == long.MaxValue)
        {
            return;
        }

        lock (_lock)
        {
            if (deadline >= target.ScheduledDeadline)
            {
                return;
            }

            target.ScheduledDeadline = deadline;
            _queue.Enqueue(target, deadline);
            if (deadline < _armedFor)
            {
                Arm(deadline);
            }
        }
    }

    /// <summary>The timer loop: runs due targets until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">Ends the loop; the returned task then completes without an exception.</param>
    /// <returns>Completes when the loop ends.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            Volatile.Write(ref _wakePending, 0);
            long now = _time.GetTimestamp();
            lock (_lock)
            {
                _armedFor = long.MaxValue;
                while (_queue.TryPeek(out ITimerTarget? target, out long deadline) && deadline <= now)
                {
                    _queue.Dequeue();
                    if (target.ScheduledDeadline == deadline)
                    {
                        target.ScheduledDeadline = long.MaxValue;
                        _due.Add(target);
                    }
                }

                if (_queue.TryPeek(out _, out long next))
                {
                    Arm(next);
                }
            }

            foreach (ITimerTarget target in _due)
            {
                target.OnTimerDue();
            }

            _due.Clear();
        }
    }

    /// <summary>Stops the timer. Dispose only once the <see cref="RunAsync"/> loop has ended.</summary>
    public void Dispose()
    {
        _timer.Dispose();
    }

    private void Arm(long deadline)
    {
        _armedFor = deadline;
        long now = _time.GetTimestamp();
        if (deadline <= now)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Wake();
            return;
        }

        // Timers have millisecond resolution; rounding up keeps a wake-up from landing just before the deadline.
        TimeSpan delay = _time.GetElapsedTime(now, deadline);
        _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            // A wake-up after the loop ended (the timer callback can race with disposal) is simply never awaited.
            _wake.Set();
        }
    }
}

namespace Stt.Transport.Udp.Internal;

/// <summary>
/// One timer for every session of an endpoint: a priority queue of (deadline, target) drained by one loop, woken by a
/// single <see cref="ITimer"/> armed for the earliest deadline.
/// </summary>
/// <remarks>
/// A target keeps at most one live entry, the earliest; when its deadline moves later, the old entry fires, the target
/// finds nothing due and schedules again. Entries superseded by an earlier deadline are skipped when popped.
/// </remarks>
internal sealed class TimerQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ITimerTarget, long> _queue = new();
    private readonly List<ITimerTarget> _due = [];
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _armedFor = long.MaxValue;
    private int _wakePending;

    public TimerQueue(TimeProvider timeProvider)
    {
        _time = timeProvider;
        _timer = timeProvider.CreateTimer(static state => ((TimerQueue)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Schedule(ITimerTarget target, long deadline)
    {
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

    public void Dispose()
    {
        _timer.Dispose();
        _wake.Dispose();
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
            try
            {
                _wake.Release();
            }
            catch (ObjectDisposedException)
            {
                // The timer callback can race with disposal; a wake-up after the loop ended has nothing left to do.
            }
        }
    }
}

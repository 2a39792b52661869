namespace Stt.Transport.Timing;

/// <summary>Something a shared <see cref="TimerQueue"/> wakes at a <see cref="TimeProvider"/> timestamp.</summary>
public interface ITimerTarget
{
    /// <summary>The earliest deadline queued for this target; <see cref="long.MaxValue"/> when none. Owned by the queue's lock.</summary>
    long ScheduledDeadline { get; set; }

    /// <summary>Runs on the timer loop once the scheduled deadline has passed.</summary>
    void OnTimerDue();
}

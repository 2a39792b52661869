namespace Stt.Transport.Udp.Internal;

/// <summary>Something the endpoint's single <see cref="TimerQueue"/> wakes at a <see cref="TimeProvider"/> timestamp.</summary>
internal interface ITimerTarget
{
    /// <summary>The earliest deadline queued for this target; <see cref="long.MaxValue"/> when none. Owned by the queue's lock.</summary>
    long ScheduledDeadline { get; set; }

    /// <summary>Runs on the timer loop once the scheduled deadline has passed.</summary>
    void OnTimerDue();
}

namespace Stt.Server.FanOut;

/// <summary>What a channel does when a subscriber's queue would exceed <see cref="ChannelOptions.SubscriberQueueLimitBytes"/>.</summary>
public enum ChannelOverflowPolicy
{
    /// <summary>
    /// Live mode: the oldest queued messages are dropped until the newest fits; the subscriber sees the drops as
    /// sequence gaps and they are counted with reason <c>skipped</c>.
    /// </summary>
    SkipToNewest = 0,

    /// <summary>
    /// The subscriber is removed, its queued messages are released (counted with reason <c>disconnected</c>) and
    /// <see cref="ISubscriberSink.OnSlowConsumer"/> is called.
    /// </summary>
    Disconnect = 1,
}

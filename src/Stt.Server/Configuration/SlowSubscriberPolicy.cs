namespace Stt.Server.Configuration;

/// <summary>What a channel does with a subscriber that cannot keep up.</summary>
internal enum SlowSubscriberPolicy
{
    /// <summary>Live mode: the oldest queued messages are dropped so the newest fit; the subscriber sees a sequence gap.</summary>
    SkipToNewest,

    /// <summary>The subscriber's session is closed with the slow-consumer reason.</summary>
    Disconnect,
}

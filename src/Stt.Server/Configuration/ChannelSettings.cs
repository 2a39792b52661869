namespace Stt.Server.Configuration;

/// <summary>Live channels (<c>Stt:Channels</c>): the defaults every channel gets.</summary>
internal sealed class ChannelSettings
{
    /// <summary>What happens to a subscriber whose queue is full.</summary>
    public SlowSubscriberPolicy Policy { get; set; } = SlowSubscriberPolicy.SkipToNewest;

    /// <summary>Bytes queued per subscriber before the policy applies.</summary>
    public int SubscriberQueueBytes { get; set; } = 256 * 1024;

    /// <summary>Messages a late joiner asking for replay receives first (at most <see cref="ReplayBytes"/>); 0 turns replay off.</summary>
    public int ReplayMessages { get; set; } = 64;

    /// <summary>Bytes the replay buffer holds at most.</summary>
    public int ReplayBytes { get; set; } = 256 * 1024;

    /// <summary>The largest channel message a publisher may send.</summary>
    public int MaxMessageLength { get; set; } = 64 * 1024;

    /// <summary>The most channels at once.</summary>
    public int MaxChannels { get; set; } = 1024;

    /// <summary>Node IDs (hex) allowed to publish; empty lets every authenticated peer publish.</summary>
    public IList<string> Publishers { get; } = [];
}

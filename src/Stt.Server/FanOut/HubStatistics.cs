namespace Stt.Server.FanOut;

/// <summary>A snapshot of the whole hub, for the admin API.</summary>
/// <param name="ChannelCount">Current channels.</param>
/// <param name="SubscriberCount">Current subscriptions across channels.</param>
/// <param name="MessagesPublished">Messages published across channels.</param>
/// <param name="MessagesDelivered">Messages delivered across channels (one per subscriber and message).</param>
/// <param name="MessagesDropped">Messages dropped across channels.</param>
/// <param name="QueuedBytes">Encoded bytes queued across all subscribers.</param>
/// <param name="Channels">Per-channel snapshots, ordered by name.</param>
public sealed record HubStatistics(
    int ChannelCount,
    int SubscriberCount,
    long MessagesPublished,
    long MessagesDelivered,
    long MessagesDropped,
    long QueuedBytes,
    IReadOnlyList<ChannelStatistics> Channels);

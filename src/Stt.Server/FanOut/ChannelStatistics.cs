namespace Stt.Server.FanOut;

/// <summary>A snapshot of one channel, for the admin API.</summary>
/// <param name="Name">The channel name.</param>
/// <param name="SubscriberCount">Current subscriptions.</param>
/// <param name="MessagesPublished">Messages published so far.</param>
/// <param name="LastSequence">Sequence of the last message published (sequences start at 1; 0 before the first).</param>
/// <param name="MessagesDelivered">Messages delivered to subscribers so far (one per subscriber and message).</param>
/// <param name="MessagesDropped">Messages dropped for subscribers so far (skipped or released at disconnect).</param>
/// <param name="ReplayMessages">Messages in the replay buffer.</param>
/// <param name="ReplayBytes">Encoded bytes in the replay buffer.</param>
/// <param name="Subscribers">Per-subscriber lag and counters.</param>
public sealed record ChannelStatistics(
    string Name,
    int SubscriberCount,
    long MessagesPublished,
    ulong LastSequence,
    long MessagesDelivered,
    long MessagesDropped,
    int ReplayMessages,
    long ReplayBytes,
    IReadOnlyList<SubscriberStatistics> Subscribers);

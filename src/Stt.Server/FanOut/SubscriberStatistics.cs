namespace Stt.Server.FanOut;

/// <summary>A snapshot of one subscription, for the admin API.</summary>
/// <param name="Id">The subscription's ID, unique within its channel.</param>
/// <param name="QueuedMessages">Messages waiting for the subscriber (its lag in messages).</param>
/// <param name="QueuedBytes">Encoded bytes waiting for the subscriber (its lag in bytes).</param>
/// <param name="PeakQueuedBytes">Largest <paramref name="QueuedBytes"/> seen; never above the channel's queue limit.</param>
/// <param name="MessagesDelivered">Messages handed to the subscriber's transport.</param>
/// <param name="MessagesDropped">Messages the subscriber will not receive (skipped or released at disconnect).</param>
/// <param name="LastDeliveredSequence">Sequence of the last message delivered, 0 before the first.</param>
public sealed record SubscriberStatistics(
    long Id,
    int QueuedMessages,
    long QueuedBytes,
    long PeakQueuedBytes,
    long MessagesDelivered,
    long MessagesDropped,
    ulong LastDeliveredSequence);

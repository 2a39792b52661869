using Stt.Protocol.Distribution;
using Stt.Server.FanOut;
using Stt.Transport;

namespace Stt.Server.Distribution;

/// <summary>
/// SUBSCRIBE (docs/distribution.md, section 3.2): after OK, each channel message goes out as one DATA message carrying
/// its sequence number, written by the hub's per-subscriber pump from the payload shared by every subscriber.
/// Subscribing creates the channel if needed (BUSY past the node's channel limit). The subscription ends when the
/// peer stops the stream (the server resets it with CANCELLED), the session closes, or the channel policy drops a
/// slow subscriber.
/// </summary>
internal sealed class SubscribeHandler(ChannelHub hub, ILogger<SubscribeHandler> logger)
{
    /// <summary>Serves one subscriber stream until the subscription ends.</summary>
    public async Task ServeAsync(SttSession session, int streamId, string channelName, bool replay)
    {
        if (!hub.TryGetOrCreateChannel(channelName, out LiveChannel? channel))
        {
            DistributionMetrics.Request(DistributionRequestKind.Subscribe, DistributionStatus.Busy);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Busy, "the node's channel limit is reached", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        DistributionMetrics.Request(DistributionRequestKind.Subscribe, DistributionStatus.Ok);
        await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Ok, string.Empty, CancellationToken.None).ConfigureAwait(false);
        var sink = new StreamSubscriberSink(session, streamId, channelName, logger);
        Subscription subscription = channel.Subscribe(sink, replay);
        try
        {
            // The client's direction carries nothing after the request; its end (FIN, reset) is not the unsubscribe
            // signal, STOP_SENDING is, and the sink sees that on its next write.
            await Task.WhenAny(sink.Ended, session.Completion).ConfigureAwait(false);
        }
        finally
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        if (!sink.WasSlow && !session.Completion.IsCompleted)
        {
            StreamRouter.TryReset(session, streamId, DistributionStreamErrorCode.Cancelled);
        }
    }
}

using System.Buffers;
using Stt.Protocol.Distribution;
using Stt.Server.FanOut;
using Stt.Transport;

namespace Stt.Server.Distribution;

/// <summary>
/// PUBLISH (docs/distribution.md, section 3.1): after OK, every message the peer sends on the stream goes to every
/// subscriber of the channel; FIN ends publishing with END. A message over the channel's maximum length ends the
/// stream with STOP_SENDING and ERROR TOO_LARGE; a peer not on the channel's publisher list gets NOT_AUTHORISED.
/// </summary>
internal sealed class PublishHandler(ChannelHub hub)
{
    /// <summary>Serves one publishing stream until the peer finishes it.</summary>
    public async Task ServeAsync(SttSession session, int streamId, string channelName)
    {
        Span<byte> nodeId = stackalloc byte[32];
        session.PeerNodeId.CopyTo(nodeId);
        if (!hub.CanPublish(channelName, nodeId))
        {
            DistributionMetrics.Request(DistributionRequestKind.Publish, DistributionStatus.NotAuthorised);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.NotAuthorised, "this node may not publish to the channel", CancellationToken.None).ConfigureAwait(false);
            session.StopSending(streamId, (ulong)DistributionStreamErrorCode.Cancelled);
            return;
        }

        if (!hub.TryGetOrCreateChannel(channelName, out LiveChannel? channel))
        {
            DistributionMetrics.Request(DistributionRequestKind.Publish, DistributionStatus.Busy);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Busy, "the node's channel limit is reached", CancellationToken.None).ConfigureAwait(false);
            session.StopSending(streamId, (ulong)DistributionStreamErrorCode.Cancelled);
            return;
        }

        DistributionMetrics.Request(DistributionRequestKind.Publish, DistributionStatus.Ok);
        await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Ok, string.Empty, CancellationToken.None).ConfigureAwait(false);
        int maxLength = channel.Options.MaxMessageLength;
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxLength, 4096));
        while (true)
        {
            buffer.ResetWrittenCount();
            int length = await session.ReadMessageAsync(streamId, buffer).ConfigureAwait(false);
            if (length == SttSession.EndOfStream)
            {
                await StreamMessages.SendEndAsync(session, streamId, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            if (length > maxLength)
            {
                session.StopSending(streamId, (ulong)DistributionStreamErrorCode.TooLarge);
                await StreamMessages.SendErrorAsync(session, streamId, DistributionStatus.TooLarge, $"channel messages are at most {maxLength} bytes", CancellationToken.None).ConfigureAwait(false);
                return;
            }

            channel.Publish(buffer.WrittenSpan);
            DistributionMetrics.PublishedBytes.Add(length);
        }
    }
}

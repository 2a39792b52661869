using System.Buffers;
using Stt.Protocol.Distribution;
using Stt.Server.Sessions;
using Stt.Transport;

namespace Stt.Server.Distribution;

/// <summary>
/// Serves one peer-opened stream: reads its request (docs/distribution.md, section 3) and runs the handler for its
/// kind. A request that does not parse gets its status in a response header and the stream ends; the session and its
/// other streams go on. A stream the peer aborts, or a session that closes, just ends the handler.
/// </summary>
internal sealed partial class StreamRouter(
    PublishHandler publish,
    SubscribeHandler subscribe,
    ContentHandlers content,
    SessionManager manager,
    ILogger<StreamRouter> logger)
{
    /// <summary>Serves the stream until its request is answered or the peer goes away. Never throws.</summary>
    public async Task ServeAsync(ManagedSession managed, int streamId)
    {
        SttSession session = managed.Session;
        DistributionRequestKind? kind = null;
        DistributionMetrics.StreamsOpened.Add(1);
        DistributionMetrics.StreamsActive.Add(1);
        try
        {
            DistributionRequest request;
            var buffer = new ArrayBufferWriter<byte>(64);
            int length = await session.ReadMessageAsync(streamId, buffer).ConfigureAwait(false);
            if (length == SttSession.EndOfStream)
            {
                // The peer finished the stream without a request: nothing to answer.
                DistributionMetrics.Request(null, DistributionStatus.MalformedRequest);
                session.Finish(streamId);
                return;
            }

            DistributionStatus error = DistributionStatus.MalformedRequest;
            if (length > DistributionLimits.MaxRequestLength
                || !DistributionRequestReader.TryRead(buffer.WrittenSpan, out request, out error))
            {
                DistributionMetrics.Request(null, error);
                await StreamMessages.SendHeaderAsync(session, streamId, error, "the request does not parse", CancellationToken.None).ConfigureAwait(false);
                return;
            }

            kind = request.Kind;
            if (manager.IsStopping)
            {
                DistributionMetrics.Request(kind, DistributionStatus.ShuttingDown);
                await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.ShuttingDown, "node shutting down", CancellationToken.None).ConfigureAwait(false);
                return;
            }

            switch (request.Kind)
            {
                case DistributionRequestKind.Publish:
                    await publish.ServeAsync(session, streamId, request.ChannelName!).ConfigureAwait(false);
                    break;
                case DistributionRequestKind.Subscribe:
                    await subscribe.ServeAsync(session, streamId, request.ChannelName!, (request.Options & SubscribeOptions.Replay) != 0).ConfigureAwait(false);
                    break;
                case DistributionRequestKind.GetManifest:
                    await content.ServeManifestAsync(session, streamId, request.ContentId).ConfigureAwait(false);
                    break;
                case DistributionRequestKind.GetChunks:
                    await content.ServeChunksAsync(session, streamId, request.ContentId, request.FirstChunk, request.ChunkCount).ConfigureAwait(false);
                    break;
                case DistributionRequestKind.ListContent:
                    await content.ServeListAsync(session, streamId, request.Cursor, request.Limit).ConfigureAwait(false);
                    break;
                case DistributionRequestKind.PutContent:
                    await content.ServeUploadAsync(session, streamId, request.ContentName, request.TotalLength, request.ChunkSize).ConfigureAwait(false);
                    break;
                default:
                    DistributionMetrics.Request(kind, DistributionStatus.UnknownKind);
                    await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.UnknownKind, "unknown request kind", CancellationToken.None).ConfigureAwait(false);
                    break;
            }
        }
        catch (StreamAbortedException)
        {
            // The peer reset or stopped the stream: it no longer wants the answer.
        }
        catch (SessionClosedException)
        {
            // The session ended; its streams ended with it.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RouterLog.HandlerFailed(logger, ex, session.SessionId, streamId, kind?.ToString() ?? "unparsed");
            TryReset(session, streamId, DistributionStreamErrorCode.InternalError);
        }
        finally
        {
            DistributionMetrics.StreamsActive.Add(-1);
        }
    }

    /// <summary>Abandons a stream, ignoring a session that is already gone.</summary>
    internal static void TryReset(SttSession session, int streamId, DistributionStreamErrorCode code)
    {
        try
        {
            session.Reset(streamId, (ulong)code);
        }
        catch (Exception ex) when (ex is SessionClosedException or StreamAbortedException or InvalidOperationException)
        {
            // Nothing left to reset.
        }
    }
}

using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Stt.Protocol.Distribution;
using Stt.Server.Configuration;
using Stt.Server.Content;
using Stt.Server.Hosting;
using Stt.Server.Telemetry;
using Stt.Transport;

namespace Stt.Server.Distribution;

/// <summary>
/// The content requests of docs/distribution.md: GET_MANIFEST (3.3), GET_CHUNKS (3.4), LIST_CONTENT (3.5) and
/// PUT_CONTENT (3.6). Every chunk is verified against its hash as it is read from disk; one that fails is never sent,
/// and the fetch ends with ERROR INTEGRITY_FAILURE. At most <c>Stt:Content:MaxConcurrentFetches</c> chunk fetches run
/// at once (BUSY beyond); shutdown lets running ones finish (<see cref="InFlightResponses"/>).
/// </summary>
internal sealed class ContentHandlers : IDisposable
{
    private const ulong MaxListLimit = 1000;

    private readonly ContentStore _store;
    private readonly InFlightResponses _inFlight;
    private readonly ILogger<ContentHandlers> _logger;
    private readonly ContentStoreSettings _settings;
    private readonly SemaphoreSlim _fetchSlots;

    public ContentHandlers(ContentStore store, InFlightResponses inFlight, IOptions<NodeOptions> options, ILogger<ContentHandlers> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _inFlight = inFlight;
        _logger = logger;
        _settings = options.Value.Content;
        _fetchSlots = new SemaphoreSlim(_settings.MaxConcurrentFetches, _settings.MaxConcurrentFetches);
    }

    /// <inheritdoc />
    public void Dispose() => _fetchSlots.Dispose();

    /// <summary>GET_MANIFEST: OK, one DATA message with the manifest's bytes, END; UNKNOWN_CONTENT when absent.</summary>
    public async Task ServeManifestAsync(SttSession session, int streamId, ContentId id)
    {
        if (!_store.TryGetManifest(id, out ContentManifest? manifest))
        {
            DistributionMetrics.Request(DistributionRequestKind.GetManifest, DistributionStatus.UnknownContent);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.UnknownContent, "no such content on this node", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        DistributionMetrics.Request(DistributionRequestKind.GetManifest, DistributionStatus.Ok);
        using InFlightResponses.Scope scope = _inFlight.Begin();
        await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Ok, string.Empty, CancellationToken.None).ConfigureAwait(false);
        ReadOnlyMemory<byte> encoded = manifest!.Encoded;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 + encoded.Length);
        try
        {
            ServerMessage.TryWriteDataTag(buffer);
            encoded.Span.CopyTo(buffer.AsSpan(1));
            await session.WriteMessageAsync(streamId, buffer.AsMemory(0, 1 + encoded.Length)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await StreamMessages.SendEndAsync(session, streamId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>GET_CHUNKS: OK, one DATA message per verified chunk in index order, END.</summary>
    public async Task ServeChunksAsync(SttSession session, int streamId, ContentId id, ulong first, ulong count)
    {
        if (!_store.TryGetManifest(id, out ContentManifest? manifest))
        {
            DistributionMetrics.Request(DistributionRequestKind.GetChunks, DistributionStatus.UnknownContent);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.UnknownContent, "no such content on this node", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (first >= (ulong)manifest!.ChunkCount || count > (ulong)manifest.ChunkCount - first)
        {
            DistributionMetrics.Request(DistributionRequestKind.GetChunks, DistributionStatus.InvalidRange);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.InvalidRange, $"the content has {manifest.ChunkCount} chunks", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (!_fetchSlots.Wait(0))
        {
            DistributionMetrics.Request(DistributionRequestKind.GetChunks, DistributionStatus.Busy);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Busy, "too many fetches in progress; retry", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        using Activity? activity = ServerTelemetry.Activities.StartActivity("stt.content.fetch", ActivityKind.Server);
        activity?.SetTag("stt.content.id", id.ToString());
        activity?.SetTag("stt.content.first_chunk", (long)first);
        activity?.SetTag("stt.content.chunk_count", (long)count);
        activity?.SetTag("stt.session.transport", session.TransportName);
        using InFlightResponses.Scope scope = _inFlight.Begin();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkMessage.MaxHeaderLength + manifest.ChunkSize);
        try
        {
            DistributionMetrics.Request(DistributionRequestKind.GetChunks, DistributionStatus.Ok);
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Ok, string.Empty, CancellationToken.None).ConfigureAwait(false);
            for (ulong index = first; index < first + count; index++)
            {
                int headerLength = ChunkMessage.GetHeaderLength(index);
                ChunkReadResult read = await _store.ReadChunkAsync(manifest, (int)index, buffer.AsMemory(headerLength, manifest.ChunkSize), CancellationToken.None).ConfigureAwait(false);
                if (!read.IsOk)
                {
                    RouterLog.IntegrityFailure(_logger, (int)index, id.ToString(), session.SessionId);
                    activity?.SetStatus(ActivityStatusCode.Error, "integrity failure");
                    await StreamMessages.SendErrorAsync(session, streamId, DistributionStatus.IntegrityFailure, $"chunk {index} failed verification on the node", CancellationToken.None).ConfigureAwait(false);
                    return;
                }

                ChunkMessage.TryWriteHeader(buffer, index, out _);
                await session.WriteMessageAsync(streamId, buffer.AsMemory(0, headerLength + read.BytesRead)).ConfigureAwait(false);
            }

            await StreamMessages.SendEndAsync(session, streamId, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _fetchSlots.Release();
        }
    }

    /// <summary>LIST_CONTENT: OK, one DATA entry per content item ordered by ID after the cursor, END.</summary>
    public async Task ServeListAsync(SttSession session, int streamId, ContentId? cursor, ulong limit)
    {
        ulong take = limit == 0 || limit > MaxListLimit ? MaxListLimit : limit;
        List<ContentManifest> items = [.. _store.List()];
        items.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        DistributionMetrics.Request(DistributionRequestKind.ListContent, DistributionStatus.Ok);
        await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Ok, string.Empty, CancellationToken.None).ConfigureAwait(false);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ContentListingEntry.MaxLength);
        try
        {
            ulong sent = 0;
            foreach (ContentManifest item in items)
            {
                if (sent == take)
                {
                    break;
                }

                if (cursor is { } after && item.Id.CompareTo(after) <= 0)
                {
                    continue;
                }

                new ContentListingEntry(item.Id, (ulong)item.TotalLength, (ulong)item.ChunkCount, item.Name).TryWrite(buffer, out int written);
                await session.WriteMessageAsync(streamId, buffer.AsMemory(0, written)).ConfigureAwait(false);
                sent++;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await StreamMessages.SendEndAsync(session, streamId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>PUT_CONTENT: OK, the peer's bytes until FIN, then one DATA message with the new content ID and END.</summary>
    public async Task ServeUploadAsync(SttSession session, int streamId, string? name, ulong totalLength, ulong chunkSize)
    {
        DistributionStatus refusal = DistributionStatus.Ok;
        string why = string.Empty;
        if (!_settings.AllowPeerUploads)
        {
            (refusal, why) = (DistributionStatus.NotAuthorised, "this node does not take uploads");
        }
        else if (totalLength > (ulong)_store.MaxContentLength)
        {
            (refusal, why) = (DistributionStatus.TooLarge, $"content is at most {_store.MaxContentLength} bytes here");
        }
        else if (chunkSize > int.MaxValue || !ContentManifestFormat.IsValidChunkSize((long)chunkSize))
        {
            (refusal, why) = (DistributionStatus.MalformedRequest, "the chunk size is not one docs/content.md allows");
        }

        if (refusal != DistributionStatus.Ok)
        {
            DistributionMetrics.Request(DistributionRequestKind.PutContent, refusal);
            await StreamMessages.SendHeaderAsync(session, streamId, refusal, why, CancellationToken.None).ConfigureAwait(false);
            session.StopSending(streamId, (ulong)DistributionStreamErrorCode.Cancelled);
            return;
        }

        DistributionMetrics.Request(DistributionRequestKind.PutContent, DistributionStatus.Ok);
        ContentUpload upload = _store.BeginUpload(name, mediaType: null, (long)totalLength, (int)chunkSize);
        await using (upload.ConfigureAwait(false))
        {
            await StreamMessages.SendHeaderAsync(session, streamId, DistributionStatus.Ok, string.Empty, CancellationToken.None).ConfigureAwait(false);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            while (true)
            {
                buffer.ResetWrittenCount();
                int length = await session.ReadMessageAsync(streamId, buffer).ConfigureAwait(false);
                if (length == SttSession.EndOfStream)
                {
                    break;
                }

                try
                {
                    await upload.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                }
                catch (InvalidDataException)
                {
                    session.StopSending(streamId, (ulong)DistributionStreamErrorCode.Cancelled);
                    await StreamMessages.SendErrorAsync(session, streamId, DistributionStatus.IntegrityFailure, $"more than the declared {totalLength} bytes", CancellationToken.None).ConfigureAwait(false);
                    return;
                }
            }

            ContentManifest manifest;
            try
            {
                manifest = await upload.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                await StreamMessages.SendErrorAsync(session, streamId, DistributionStatus.IntegrityFailure, ex.Message, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (IOException)
            {
                await StreamMessages.SendErrorAsync(session, streamId, DistributionStatus.InternalError, "storing the content failed", CancellationToken.None).ConfigureAwait(false);
                return;
            }

            byte[] stored = new byte[ServerMessage.StoredLength];
            ServerMessage.TryWriteStored(stored, manifest.Id);
            await session.WriteMessageAsync(streamId, stored).ConfigureAwait(false);
            await StreamMessages.SendEndAsync(session, streamId, CancellationToken.None).ConfigureAwait(false);
        }
    }
}

using System.Buffers;
using System.Runtime.ExceptionServices;
using Stt.Client.Internal;
using Stt.Protocol.Distribution;
using Stt.Transport;

namespace Stt.Client;

public sealed partial class SttClient
{
    /// <summary>Entries asked for per LIST_CONTENT page.</summary>
    public const int ListPageSize = 100;

    /// <summary>Longest DATA message <see cref="UploadAsync"/> sends.</summary>
    public const int UploadMessageLength = 32 * 1024;

    /// <summary>
    /// Fetches a content's manifest (GET_MANIFEST, docs/distribution.md section 3.3), checks that its SHA-256 is
    /// <paramref name="id"/>, and parses it.
    /// </summary>
    /// <param name="id">The content ID.</param>
    /// <param name="ct">Abandons the request.</param>
    /// <returns>The verified manifest.</returns>
    /// <exception cref="ContentIntegrityException">The manifest's hash is not <paramref name="id"/>, the bytes are not a valid
    /// manifest, or the node reported <see cref="DistributionStatus.IntegrityFailure"/>.</exception>
    /// <exception cref="DistributionException">The node refused (<see cref="DistributionStatus.UnknownContent"/>, ...) or sent
    /// something malformed.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async Task<ContentManifest> GetManifestAsync(ContentId id, CancellationToken ct = default)
    {
        try
        {
            DistributionStream stream = await DistributionStream.OpenAsync(
                _session, DistributionRequest.GetManifest(id), finish: true, buffer: null, ct).ConfigureAwait(false);
            if (await stream.ReadAsync(ct).ConfigureAwait(false) != ServerMessageKind.Data)
            {
                throw stream.Malformed("END before the manifest");
            }

            ServerMessage.TryReadData(stream.Message.Span, out ReadOnlySpan<byte> body);
            if (ContentId.Compute(body) != id)
            {
                stream.Abort(DistributionStreamErrorCode.Cancelled);
                throw new ContentIntegrityException($"The manifest the node sent for {id} hashes to {ContentId.Compute(body)}.");
            }

            if (!ContentManifest.TryParse(body, out ContentManifest? manifest, out string? error))
            {
                stream.Abort(DistributionStreamErrorCode.Cancelled);
                throw new ContentIntegrityException($"Content {id} names bytes that are not a valid manifest: {error}");
            }

            await stream.ReadEndAsync("GET_MANIFEST", ct).ConfigureAwait(false);
            return manifest!;
        }
        catch (DistributionException ex) when (ex.Status == DistributionStatus.IntegrityFailure)
        {
            throw new ContentIntegrityException($"The node reports its copy of {id} is damaged: {ex.ServerMessage}", ex);
        }
    }

    /// <summary>
    /// Downloads a content: fetches and verifies its manifest, then its chunks (GET_CHUNKS, section 3.4) in batches of
    /// <see cref="FetchOptions.ChunksPerRequest"/>, up to <see cref="FetchOptions.MaxParallelRequests"/> requests at once, each
    /// on its own stream. Every chunk is checked against the manifest before it is written; chunks are written in order.
    /// </summary>
    /// <param name="id">The content ID.</param>
    /// <param name="destination">Receives the content bytes, from its current position.</param>
    /// <param name="options">Batching; null uses <see cref="FetchOptions.Default"/>.</param>
    /// <param name="ct">Abandons the download (open streams are reset with CANCELLED).</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ContentIntegrityException">The manifest or a chunk does not match its hash (only the verified chunks before
    /// it were written), or the node reported <see cref="DistributionStatus.IntegrityFailure"/>.</exception>
    /// <exception cref="DistributionException">The node refused or stopped a request, or sent something malformed.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async Task<ContentManifest> FetchAsync(ContentId id, Stream destination, FetchOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options ??= FetchOptions.Default;
        options.Validate();
        ContentManifest manifest = await GetManifestAsync(id, ct).ConfigureAwait(false);
        await FetchChunksAsync(manifest, 0, destination, options, 0, ct).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Downloads a content to a file, resuming an earlier partial download (see <see cref="FetchToFileAsync(ContentId, string, FetchOptions?, CancellationToken)"/>).</summary>
    /// <param name="id">The content ID.</param>
    /// <param name="path">The file to create.</param>
    /// <param name="ct">Abandons the download; the partial file stays for a later call.</param>
    /// <returns>The manifest.</returns>
    public Task<ContentManifest> FetchToFileAsync(ContentId id, string path, CancellationToken ct = default) =>
        FetchToFileAsync(id, path, null, ct);

    /// <summary>
    /// Downloads a content to a file. Bytes go to <c>path + ".part"</c>; when that file exists already (an interrupted
    /// download), its whole chunks are verified against the manifest in order and the download continues from the first
    /// missing or damaged chunk (the file is cut there). Once complete, the partial file is renamed to
    /// <paramref name="path"/>, replacing any file there.
    /// </summary>
    /// <param name="id">The content ID.</param>
    /// <param name="path">The file to create.</param>
    /// <param name="options">Batching; null uses <see cref="FetchOptions.Default"/>.</param>
    /// <param name="ct">Abandons the download; the partial file stays for a later call.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ContentIntegrityException">As for <see cref="FetchAsync"/>; the verified prefix stays in the partial file.</exception>
    /// <exception cref="DistributionException">As for <see cref="FetchAsync"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public async Task<ContentManifest> FetchToFileAsync(ContentId id, string path, FetchOptions? options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= FetchOptions.Default;
        options.Validate();
        ContentManifest manifest = await GetManifestAsync(id, ct).ConfigureAwait(false);
        string partial = path + ".part";
        var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            int resumeAt = await CountVerifiedChunksAsync(manifest, file, ct).ConfigureAwait(false);
            long offset = resumeAt < manifest.ChunkCount ? manifest.GetChunkOffset(resumeAt) : manifest.TotalLength;
            file.SetLength(offset);
            file.Position = offset;
            await FetchChunksAsync(manifest, resumeAt, file, options, offset, ct).ConfigureAwait(false);
            await file.FlushAsync(ct).ConfigureAwait(false);
        }

        File.Move(partial, path, overwrite: true);
        return manifest;
    }

    /// <summary>
    /// Uploads a content (PUT_CONTENT, docs/distribution.md section 3.6): reads exactly <paramref name="length"/> bytes
    /// from <paramref name="source"/> and sends them in DATA messages of at most <see cref="UploadMessageLength"/> bytes.
    /// </summary>
    /// <param name="source">The content, read from its current position.</param>
    /// <param name="length">The content length in bytes.</param>
    /// <param name="name">The content's name (0 to 255 UTF-8 bytes without control characters), or null.</param>
    /// <param name="chunkSize">The chunk size the node cuts the content into: 4 KiB to 4 MiB (the manifest's range).</param>
    /// <param name="ct">Abandons the upload (RESET_STREAM CANCELLED).</param>
    /// <returns>The content ID the node assigned. The client does not recompute it: fetch the manifest to check it.</returns>
    /// <exception cref="ArgumentException">The length is negative, the chunk size out of range, or the name invalid.</exception>
    /// <exception cref="EndOfStreamException">The source ended before <paramref name="length"/> bytes; the upload is abandoned.</exception>
    /// <exception cref="DistributionException">The node refused (<see cref="DistributionStatus.TooLarge"/>, <see cref="DistributionStatus.Busy"/>,
    /// <see cref="DistributionStatus.NotAuthorised"/>), failed to store it, or sent something malformed.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async Task<ContentId> UploadAsync(Stream source, long length, string? name, int chunkSize = 262144, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, ContentManifestFormat.MinChunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, ContentManifestFormat.MaxChunkSize);
        if (name is not null && !ChannelName.IsValidContentName(System.Text.Encoding.UTF8.GetBytes(name)))
        {
            throw new ArgumentException("A content name is at most 255 UTF-8 bytes without control characters.", nameof(name));
        }

        DistributionStream stream = await DistributionStream.OpenAsync(
            _session, DistributionRequest.PutContent(name, (ulong)length, (ulong)chunkSize), finish: false, buffer: null, ct).ConfigureAwait(false);
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(UploadMessageLength, Math.Max(length, 1)));
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                int read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The source ended after {length - remaining} of {length} bytes.");
                }

                try
                {
                    await _session.WriteMessageAsync(stream.StreamId, buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
                catch (StreamAbortedException ex)
                {
                    throw await stream.ReadStopReasonAsync(ex, "PUT_CONTENT", ct).ConfigureAwait(false);
                }

                remaining -= read;
            }

            stream.FinishSending();
            if (await stream.ReadAsync(ct).ConfigureAwait(false) != ServerMessageKind.Data)
            {
                throw stream.Malformed("END before the stored content ID");
            }

            if (!ServerMessage.TryReadStored(stream.Message.Span, out ContentId id))
            {
                throw stream.Malformed("the stored-content message does not parse");
            }

            await stream.ReadEndAsync("PUT_CONTENT", ct).ConfigureAwait(false);
            return id;
        }
        finally
        {
            stream.Abort(DistributionStreamErrorCode.Cancelled);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Lists the node's content (LIST_CONTENT, section 3.5) in content ID order, paging with the cursor
    /// (<see cref="ListPageSize"/> entries a page) until a page comes back short.
    /// </summary>
    /// <param name="ct">Abandons the listing.</param>
    /// <returns>Every entry.</returns>
    /// <exception cref="DistributionException">The node refused, or sent a malformed entry, more entries than asked, or entries
    /// not in increasing ID order after the cursor.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async Task<IReadOnlyList<ContentListingEntry>> ListContentAsync(CancellationToken ct = default)
    {
        var entries = new List<ContentListingEntry>();
        var buffer = new ArrayBufferWriter<byte>(ContentListingEntry.MaxLength);
        ContentId? cursor = null;
        while (true)
        {
            DistributionStream stream = await DistributionStream.OpenAsync(
                _session, DistributionRequest.ListContent(cursor, ListPageSize), finish: true, buffer, ct).ConfigureAwait(false);
            int count = 0;
            try
            {
                while (await stream.ReadAsync(ct).ConfigureAwait(false) == ServerMessageKind.Data)
                {
                    if (!ContentListingEntry.TryRead(stream.Message.Span, out ContentListingEntry entry))
                    {
                        throw stream.Malformed("a listing entry does not parse");
                    }

                    if (count == ListPageSize)
                    {
                        throw stream.Malformed($"more than the {ListPageSize} entries asked for");
                    }

                    if (cursor is { } after && Compare(entry.Id, after) <= 0)
                    {
                        throw stream.Malformed("listing entries are not in increasing content ID order");
                    }

                    entries.Add(entry);
                    cursor = entry.Id;
                    count++;
                }
            }
            finally
            {
                stream.Abort(DistributionStreamErrorCode.Cancelled);
            }

            if (count < ListPageSize)
            {
                return entries;
            }
        }
    }

    private static int Compare(ContentId left, ContentId right)
    {
        Span<byte> a = stackalloc byte[ContentId.Length];
        Span<byte> b = stackalloc byte[ContentId.Length];
        left.TryWrite(a);
        right.TryWrite(b);
        return a.SequenceCompareTo(b);
    }

    /// <summary>How many whole chunks at the start of <paramref name="file"/> match the manifest.</summary>
    private static async Task<int> CountVerifiedChunksAsync(ContentManifest manifest, FileStream file, CancellationToken ct)
    {
        long available = file.Length;
        if (manifest.ChunkCount == 0 || available == 0)
        {
            return 0;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(manifest.ChunkSize);
        try
        {
            file.Position = 0;
            int index = 0;
            for (; index < manifest.ChunkCount; index++)
            {
                int length = manifest.GetChunkLength(index);
                if (manifest.GetChunkOffset(index) + length > available)
                {
                    break;
                }

                await file.ReadExactlyAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
                if (!manifest.VerifyChunk(buffer.AsSpan(0, length), index))
                {
                    break;
                }
            }

            return index;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Fetches chunks <paramref name="first"/>.. to the end, writing them to <paramref name="destination"/> in order.</summary>
    private async Task FetchChunksAsync(ContentManifest manifest, int first, Stream destination, FetchOptions options, long written, CancellationToken ct)
    {
        options.Progress?.Report(written);
        if (first >= manifest.ChunkCount)
        {
            return;
        }

        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pending = new Queue<Task<ChunkBatch>>();
        int next = first;
        try
        {
            while (next < manifest.ChunkCount || pending.Count > 0)
            {
                while (pending.Count < options.MaxParallelRequests && next < manifest.ChunkCount)
                {
                    int count = Math.Min(options.ChunksPerRequest, manifest.ChunkCount - next);
                    pending.Enqueue(FetchBatchAsync(manifest, next, count, abandon.Token));
                    next += count;
                }

                ChunkBatch batch = await pending.Dequeue().ConfigureAwait(false);
                try
                {
                    if (batch.VerifiedLength > 0)
                    {
                        await destination.WriteAsync(batch.Buffer.AsMemory(0, batch.VerifiedLength), ct).ConfigureAwait(false);
                        written += batch.VerifiedLength;
                        options.Progress?.Report(written);
                    }

                    if (batch.Failure is not null)
                    {
                        ExceptionDispatchInfo.Throw(batch.Failure);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(batch.Buffer);
                }
            }
        }
        finally
        {
            if (pending.Count > 0)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                while (pending.Count > 0)
                {
                    ChunkBatch abandoned = await pending.Dequeue().ConfigureAwait(false);
                    ArrayPool<byte>.Shared.Return(abandoned.Buffer);
                }
            }
        }
    }

    /// <summary>One GET_CHUNKS request. Never throws: the verified prefix and the failure, if any, come back in the batch.</summary>
    private async Task<ChunkBatch> FetchBatchAsync(ContentManifest manifest, int first, int count, CancellationToken ct)
    {
        int last = first + count - 1;
        long start = manifest.GetChunkOffset(first);
        int total = (int)(manifest.GetChunkOffset(last) + manifest.GetChunkLength(last) - start);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        int verified = 0;
        try
        {
            DistributionStream stream = await DistributionStream.OpenAsync(
                _session, DistributionRequest.GetChunks(manifest.Id, (ulong)first, (ulong)count), finish: true,
                new ArrayBufferWriter<byte>(ChunkMessage.MaxHeaderLength + manifest.ChunkSize), ct).ConfigureAwait(false);
            try
            {
                for (int index = first; index <= last; index++)
                {
                    if (await stream.ReadAsync(ct).ConfigureAwait(false) != ServerMessageKind.Data)
                    {
                        throw stream.Malformed($"END after {index - first} of {count} chunks");
                    }

                    if (!ChunkMessage.TryRead(stream.Message.Span, out ulong received, out ReadOnlySpan<byte> chunk))
                    {
                        throw stream.Malformed("a chunk message does not parse");
                    }

                    if (received != (ulong)index)
                    {
                        throw stream.Malformed($"chunk {received} where chunk {index} was due");
                    }

                    if (!manifest.VerifyChunk(chunk, index))
                    {
                        throw new ContentIntegrityException($"Chunk {index} of {manifest.Id} does not match the manifest's hash.") { ChunkIndex = index };
                    }

                    chunk.CopyTo(buffer.AsSpan(verified));
                    verified += chunk.Length;
                }

                await stream.ReadEndAsync("GET_CHUNKS", ct).ConfigureAwait(false);
            }
            finally
            {
                stream.Abort(DistributionStreamErrorCode.Cancelled);
            }

            return new ChunkBatch(buffer, verified, null);
        }
        catch (DistributionException ex) when (ex.Status == DistributionStatus.IntegrityFailure)
        {
            return new ChunkBatch(buffer, verified, new ContentIntegrityException($"The node reports its copy of {manifest.Id} is damaged: {ex.ServerMessage}", ex));
        }
        catch (Exception ex)
        {
            return new ChunkBatch(buffer, verified, ex);
        }
    }

    /// <summary>A GET_CHUNKS result: a pooled buffer whose first <see cref="VerifiedLength"/> bytes are verified chunks, and why it stopped early.</summary>
    private readonly record struct ChunkBatch(byte[] Buffer, int VerifiedLength, Exception? Failure);
}

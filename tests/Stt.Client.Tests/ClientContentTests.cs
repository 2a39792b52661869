using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Client.Tests;

public sealed class ClientContentTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("stt-client-tests-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Fetch_verifies_every_chunk_and_writes_the_content_in_order()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 9 + 123);
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var destination = new MemoryStream();
        var options = new FetchOptions { ChunksPerRequest = 2, MaxParallelRequests = 3 };
        ContentManifest manifest = await client.FetchAsync(content.Id, destination, options, Ct).WaitAsync(Bound, Ct);

        Assert.Equal(content.Id, manifest.Id);
        Assert.Equal(10, manifest.ChunkCount);
        Assert.Equal(content.Content, destination.ToArray());
        Assert.Equal(5, content.ChunkRequests.Count);
        Assert.Equal(new ulong[] { 0, 2, 4, 6, 8 }, content.ChunkRequests.Select(r => r.First).Order());
        Assert.All(content.ChunkRequests, r => Assert.Equal(2UL, r.Count));
        Assert.Empty(node.Failures);
    }

    [Fact]
    public async Task Fetch_of_empty_content_writes_nothing()
    {
        var content = new ContentResponder(0);
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var destination = new MemoryStream();
        ContentManifest manifest = await client.FetchAsync(content.Id, destination, ct: Ct).WaitAsync(Bound, Ct);
        Assert.Equal(0, manifest.ChunkCount);
        Assert.Equal(0, destination.Length);
        Assert.Empty(content.ChunkRequests);
    }

    [Fact]
    public async Task Fetch_rejects_a_corrupted_chunk_and_writes_only_the_verified_chunks_before_it()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 8) { CorruptChunk = 5 };
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var destination = new MemoryStream();
        var options = new FetchOptions { ChunksPerRequest = 2, MaxParallelRequests = 2 };
        var ex = await Assert.ThrowsAsync<ContentIntegrityException>(
            () => client.FetchAsync(content.Id, destination, options, Ct)).WaitAsync(Bound, Ct);

        Assert.Equal(5, ex.ChunkIndex);
        Assert.Equal(content.Content.AsSpan(0, 5 * ContentResponder.ChunkSize).ToArray(), destination.ToArray());

        // The session survives a failed request.
        content.CorruptChunk = null;
        var again = new MemoryStream();
        await client.FetchAsync(content.Id, again, options, Ct).WaitAsync(Bound, Ct);
        Assert.Equal(content.Content, again.ToArray());
    }

    [Fact]
    public async Task Server_integrity_failure_becomes_a_content_integrity_exception_with_its_text()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 4) { ErrorAtChunk = 1 };
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var destination = new MemoryStream();
        var ex = await Assert.ThrowsAsync<ContentIntegrityException>(
            () => client.FetchAsync(content.Id, destination, new FetchOptions { ChunksPerRequest = 4 }, Ct)).WaitAsync(Bound, Ct);

        Assert.Contains("disk rot in chunk 1", ex.Message, StringComparison.Ordinal);
        DistributionException inner = Assert.IsType<DistributionException>(ex.InnerException);
        Assert.Equal(DistributionStatus.IntegrityFailure, inner.Status);
        Assert.Equal(content.Content.AsSpan(0, ContentResponder.ChunkSize).ToArray(), destination.ToArray());
    }

    [Fact]
    public async Task Manifest_whose_hash_is_not_the_id_is_rejected()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 2);
        var other = new ContentResponder(ContentResponder.ChunkSize * 2, seed: 2);
        content.ManifestOverride = other.Manifest.Encoded.ToArray();
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        await Assert.ThrowsAsync<ContentIntegrityException>(() => client.GetManifestAsync(content.Id, Ct)).WaitAsync(Bound, Ct);
        await Assert.ThrowsAsync<ContentIntegrityException>(() => client.FetchAsync(content.Id, new MemoryStream(), ct: Ct)).WaitAsync(Bound, Ct);
        Assert.Empty(content.ChunkRequests);

        var unknown = await Assert.ThrowsAsync<DistributionException>(() => client.GetManifestAsync(other.Id, Ct)).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.UnknownContent, unknown.Status);
        Assert.Equal("no such content", unknown.ServerMessage);
    }

    [Fact]
    public async Task Get_manifest_returns_the_parsed_manifest()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 3 + 1);
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        ContentManifest manifest = await client.GetManifestAsync(content.Id, Ct).WaitAsync(Bound, Ct);
        Assert.Equal(content.Manifest.Encoded.ToArray(), manifest.Encoded.ToArray());
        Assert.Equal("test.bin", manifest.Name);
        Assert.Equal(4, manifest.ChunkCount);
    }

    [Fact]
    public async Task Fetch_to_file_resumes_from_the_first_damaged_chunk_of_the_part_file()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 10 + 77);
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        string path = Path.Combine(_directory, "clip.bin");
        // An earlier attempt left chunks 0..5 and half of 6; chunk 3 got damaged.
        byte[] partial = content.Content.AsSpan(0, 6 * ContentResponder.ChunkSize + 100).ToArray();
        partial[3 * ContentResponder.ChunkSize + 10] ^= 0xFF;
        await File.WriteAllBytesAsync(path + ".part", partial, Ct);

        var progress = new List<long>();
        var options = new FetchOptions { ChunksPerRequest = 3, Progress = new SyncProgress(progress) };
        ContentManifest manifest = await client.FetchToFileAsync(content.Id, path, options, Ct).WaitAsync(Bound, Ct);

        Assert.Equal(content.Id, manifest.Id);
        Assert.Equal(content.Content, await File.ReadAllBytesAsync(path, Ct));
        Assert.False(File.Exists(path + ".part"));
        Assert.Equal(3UL, content.ChunkRequests.Min(r => r.First));
        Assert.Equal(3 * ContentResponder.ChunkSize, progress[0]);
        Assert.Equal(content.Content.Length, progress[^1]);
    }

    [Fact]
    public async Task Fetch_to_file_keeps_the_verified_prefix_after_a_bad_chunk_then_completes_later()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 6) { CorruptChunk = 4 };
        await using var node = new TestNode(content.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);
        string path = Path.Combine(_directory, "data.bin");

        await Assert.ThrowsAsync<ContentIntegrityException>(() => client.FetchToFileAsync(content.Id, path, Ct)).WaitAsync(Bound, Ct);
        Assert.False(File.Exists(path));
        Assert.Equal(4L * ContentResponder.ChunkSize, new FileInfo(path + ".part").Length);

        content.CorruptChunk = null;
        while (content.ChunkRequests.TryDequeue(out _))
        {
        }

        await client.FetchToFileAsync(content.Id, path, Ct).WaitAsync(Bound, Ct);
        Assert.Equal(content.Content, await File.ReadAllBytesAsync(path, Ct));
        Assert.Equal((4UL, 2UL), Assert.Single(content.ChunkRequests));

        // A complete part file fetches nothing more.
        await File.WriteAllBytesAsync(path + ".part", content.Content, Ct);
        while (content.ChunkRequests.TryDequeue(out _))
        {
        }

        await client.FetchToFileAsync(content.Id, path, Ct).WaitAsync(Bound, Ct);
        Assert.Empty(content.ChunkRequests);
        Assert.Equal(content.Content, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    public async Task Upload_sends_the_bytes_and_returns_the_stored_id()
    {
        byte[] data = new byte[100_000];
        new Random(7).NextBytes(data);
        string? name = null;
        ulong chunkSize = 0;
        await using var node = new TestNode(async stream =>
        {
            name = stream.Request.ContentName;
            chunkSize = stream.Request.ChunkSize;
            await stream.OkAsync();
            var received = new MemoryStream();
            while (await stream.ReadAsync() is { } message)
            {
                received.Write(message);
            }

            using var builder = new ContentManifestBuilder((int)stream.Request.ChunkSize, stream.Request.ContentName);
            byte[] all = received.ToArray();
            for (int offset = 0; offset < all.Length; offset += (int)stream.Request.ChunkSize)
            {
                builder.AddChunkData(all.AsSpan(offset, Math.Min((int)stream.Request.ChunkSize, all.Length - offset)));
            }

            byte[] stored = new byte[ServerMessage.StoredLength];
            ServerMessage.TryWriteStored(stored, builder.Build().Id);
            await stream.RawAsync(stored);
            await stream.EndAsync();
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        ContentId id = await client.UploadAsync(new MemoryStream(data), data.Length, "up.bin", 16384, Ct).WaitAsync(Bound, Ct);

        using var expected = new ContentManifestBuilder(16384, "up.bin");
        for (int offset = 0; offset < data.Length; offset += 16384)
        {
            expected.AddChunkData(data.AsSpan(offset, Math.Min(16384, data.Length - offset)));
        }

        Assert.Equal(expected.Build().Id, id);
        Assert.Equal("up.bin", name);
        Assert.Equal(16384UL, chunkSize);
        await Assert.ThrowsAsync<EndOfStreamException>(() => client.UploadAsync(new MemoryStream(new byte[10]), 20, null, ct: Ct)).WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Upload_refused_throws_the_status()
    {
        await using var node = new TestNode(stream => stream.RefuseAsync(DistributionStatus.TooLarge, "limit 1 MB"));
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(() => client.UploadAsync(new MemoryStream(new byte[10]), 10, null, ct: Ct)).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.TooLarge, ex.Status);
        Assert.Equal("limit 1 MB", ex.ServerMessage);
    }

    [Fact]
    public async Task List_content_pages_with_the_cursor_until_a_short_page()
    {
        ContentListingEntry[] all = Enumerable.Range(0, 2 * SttClient.ListPageSize + 17)
            .Select(i =>
            {
                byte[] id = new byte[32];
                id[0] = (byte)(i >> 8);
                id[1] = (byte)i;
                return new ContentListingEntry(ContentId.FromHash(id), (ulong)i * 10, (ulong)i, i % 2 == 0 ? "n" + i : null);
            })
            .ToArray();
        int requests = 0;
        await using var node = new TestNode(async stream =>
        {
            Interlocked.Increment(ref requests);
            int start = stream.Request.Cursor is { } cursor ? Array.FindIndex(all, e => e.Id == cursor) + 1 : 0;
            await stream.OkAsync();
            foreach (ContentListingEntry entry in all.Skip(start).Take((int)stream.Request.Limit))
            {
                byte[] message = new byte[ContentListingEntry.MaxLength];
                entry.TryWrite(message, out int written);
                await stream.RawAsync(message[..written]);
            }

            await stream.EndAsync();
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        IReadOnlyList<ContentListingEntry> listed = await client.ListContentAsync(Ct).WaitAsync(Bound, Ct);
        Assert.Equal(all, listed);
        Assert.Equal(3, requests);
    }

    private sealed class SyncProgress(List<long> values) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (values)
            {
                values.Add(value);
            }
        }
    }
}

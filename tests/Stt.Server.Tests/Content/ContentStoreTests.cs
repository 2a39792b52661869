using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Stt.Protocol.Distribution;
using Stt.Server.Content;
using Xunit;

namespace Stt.Server.Tests.Content;

public sealed class ContentStoreTests : IDisposable
{
    private const int SmallChunk = 4096;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Root => Path.Combine(_directory.Path, "store");

    private ContentStore Open(int chunkSize = SmallChunk, ContentMetrics? metrics = null, long maxLength = 64L * 1024 * 1024) =>
        new(new ContentStoreOptions { RootDirectory = Root, ChunkSize = chunkSize, MaxContentLength = maxLength }, null, metrics);

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static ContentManifest ExpectedManifest(byte[] content, int chunkSize, string? name, string? mediaType)
    {
        using var builder = new ContentManifestBuilder(chunkSize, name, mediaType);
        for (int offset = 0; offset < content.Length; offset += chunkSize)
        {
            builder.AddChunkData(content.AsSpan(offset, Math.Min(chunkSize, content.Length - offset)));
        }

        return builder.Build();
    }

    private static async Task<byte[]> ReadAll(ContentStore store, ContentManifest manifest)
    {
        byte[] result = new byte[manifest.TotalLength];
        byte[] buffer = new byte[manifest.ChunkSize];
        for (int i = 0; i < manifest.ChunkCount; i++)
        {
            ChunkReadResult read = await store.ReadChunkAsync(manifest, i, buffer, TestContext.Current.CancellationToken);
            Assert.Equal(ChunkReadStatus.Ok, read.Status);
            Assert.Equal(manifest.GetChunkLength(i), read.BytesRead);
            buffer.AsSpan(0, read.BytesRead).CopyTo(result.AsSpan((int)manifest.GetChunkOffset(i)));
        }

        return result;
    }

    private string ChunkPath(ContentManifest manifest, int index)
    {
        string hex = Convert.ToHexStringLower(manifest.GetChunkHash(index));
        return Path.Combine(Root, "chunks", hex[..2], hex);
    }

    private int CountFiles(string folder) =>
        Directory.Exists(Path.Combine(Root, folder)) ? Directory.GetFiles(Path.Combine(Root, folder), "*", SearchOption.AllDirectories).Length : 0;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SmallChunk - 1)]
    [InlineData(SmallChunk)]
    [InlineData(SmallChunk + 1)]
    public async Task AddFile_RoundTrips(int length)
    {
        using ContentStore store = Open();
        byte[] content = RandomBytes(length, length);
        string file = Path.Combine(_directory.Path, "input.bin");
        await File.WriteAllBytesAsync(file, content, TestContext.Current.CancellationToken);

        ContentManifest manifest = await store.AddFileAsync(file, "input.bin", "application/octet-stream", TestContext.Current.CancellationToken);

        ContentManifest expected = ExpectedManifest(content, SmallChunk, "input.bin", "application/octet-stream");
        Assert.Equal(expected.Encoded.ToArray(), manifest.Encoded.ToArray());
        Assert.Equal(expected.Id, manifest.Id);
        Assert.Equal((length + SmallChunk - 1) / SmallChunk, manifest.ChunkCount);
        Assert.Equal(content, await ReadAll(store, manifest));

        string manifestFile = Path.Combine(Root, "manifests", manifest.Id.ToString());
        Assert.Equal(manifest.Id.ToString(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(manifestFile, TestContext.Current.CancellationToken))));
        Assert.True(store.TryGetManifest(manifest.Id, out ContentManifest? found));
        Assert.Same(manifest, found);
        Assert.Single(store.List());
        Assert.Equal(0, CountFiles("tmp"));
    }

    [Fact]
    public async Task Add_FiveMegabytes_DefaultChunkSize_RoundTrips()
    {
        using ContentStore store = Open(ContentManifestFormat.DefaultChunkSize);
        byte[] content = RandomBytes(5_000_000, 5);
        ContentManifest manifest = await store.AddAsync(new MemoryStream(content), "big", null, TestContext.Current.CancellationToken);
        Assert.Equal(ExpectedManifest(content, ContentManifestFormat.DefaultChunkSize, "big", null).Id, manifest.Id);
        Assert.Equal(20, manifest.ChunkCount);
        Assert.Equal(5_000_000 - (19 * 262144), manifest.GetChunkLength(19));
        Assert.Equal(content, await ReadAll(store, manifest));
        Assert.Equal(20, CountFiles("chunks"));
    }

    [Fact]
    public async Task Add_SameContentTwice_AndRepeatedChunks_AreStoredOnce()
    {
        using ContentStore store = Open();
        byte[] block = RandomBytes(SmallChunk, 1);
        byte[] content = [.. block, .. block, .. block, 1, 2, 3];
        ContentManifest first = await store.AddAsync(new MemoryStream(content), null, null, TestContext.Current.CancellationToken);
        Assert.Equal(2, CountFiles("chunks"));
        DateTime written = File.GetLastWriteTimeUtc(ChunkPath(first, 0));

        ContentManifest second = await store.AddAsync(new MemoryStream(content), null, null, TestContext.Current.CancellationToken);
        ContentManifest named = await store.AddAsync(new MemoryStream(content), "other name", null, TestContext.Current.CancellationToken);

        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Id, named.Id);
        Assert.Equal(2, CountFiles("chunks"));
        Assert.Equal(2, CountFiles("manifests"));
        Assert.Equal(2, store.List().Count);
        Assert.Equal(written, File.GetLastWriteTimeUtc(ChunkPath(first, 0)));
        Assert.Equal(content, await ReadAll(store, named));
    }

    [Fact]
    public async Task Restart_NewStoreOverSameDirectory_SeesContent()
    {
        byte[] content = RandomBytes(3 * SmallChunk + 17, 3);
        ContentId id;
        using (ContentStore store = Open())
        {
            id = (await store.AddAsync(new MemoryStream(content), "kept", "video/mp2t", TestContext.Current.CancellationToken)).Id;
        }

        using ContentStore reopened = Open();
        Assert.True(reopened.TryGetManifest(id, out ContentManifest? manifest));
        Assert.Equal("kept", manifest!.Name);
        Assert.Equal("video/mp2t", manifest.MediaType);
        Assert.Equal(content, await ReadAll(reopened, manifest));
    }

    [Fact]
    public async Task CorruptedChunk_IsNotServed_CountedReportedOnce_AndRepairedByReAdding()
    {
        using var metrics = new ContentMetrics();
        using var listener = new MeterListener();
        var measured = new ConcurrentBag<(string Name, long Value, string? Reason)>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? reason = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            measured.Add((instrument.Name, value, reason));
        });
        listener.Start();

        using ContentStore store = Open(metrics: metrics);
        var events = new ConcurrentBag<ContentIntegrityFailureEventArgs>();
        store.IntegrityFailure += (_, e) => events.Add(e);
        byte[] content = RandomBytes(2 * SmallChunk, 7);
        ContentManifest manifest = await store.AddAsync(new MemoryStream(content), null, null, TestContext.Current.CancellationToken);

        string path = ChunkPath(manifest, 1);
        byte[] onDisk = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        onDisk[1234] ^= 0x01;
        await File.WriteAllBytesAsync(path, onDisk, TestContext.Current.CancellationToken);

        byte[] buffer = new byte[SmallChunk];
        for (int attempt = 0; attempt < 2; attempt++)
        {
            buffer.AsSpan().Fill(0xAA);
            ChunkReadResult result = await store.ReadChunkAsync(manifest, 1, buffer, TestContext.Current.CancellationToken);
            Assert.Equal(ChunkReadStatus.HashMismatch, result.Status);
            Assert.False(result.IsOk);
            Assert.Equal(0, result.BytesRead);
            Assert.True(buffer.All(b => b == 0), "The corrupted bytes must not be left in the destination.");
        }

        Assert.Equal(2, store.IntegrityFailureCount);
        ContentIntegrityFailureEventArgs reported = Assert.Single(events);
        Assert.Equal(manifest.Id, reported.ContentId);
        Assert.Equal(1, reported.ChunkIndex);
        Assert.Equal(ChunkReadStatus.HashMismatch, reported.Status);
        Assert.Equal(2, measured.Where(m => m.Name == "stt.content.integrity.failures" && m.Reason == "hash").Sum(m => m.Value));

        // Chunk 0 is still fine and counted as served.
        Assert.True((await store.ReadChunkAsync(manifest, 0, buffer, TestContext.Current.CancellationToken)).IsOk);
        Assert.Equal(1, measured.Where(m => m.Name == "stt.content.chunks.served").Sum(m => m.Value));
        Assert.Equal(SmallChunk, measured.Where(m => m.Name == "stt.content.bytes.served").Sum(m => m.Value));

        // Adding the same content again rewrites the failed chunk instead of trusting it.
        await store.AddAsync(new MemoryStream(content), null, null, TestContext.Current.CancellationToken);
        Assert.Equal(content, await ReadAll(store, manifest));
    }

    [Fact]
    public async Task IntegrityFailure_IsLoggedOncePerChunk_AndQuarantineIsLogged()
    {
        var logger = new CapturingLogger<ContentStore>();
        ContentManifest manifest;
        using (var store = new ContentStore(new ContentStoreOptions { RootDirectory = Root, ChunkSize = SmallChunk, MaxContentLength = 1 << 20 }, logger))
        {
            manifest = await store.AddAsync(new MemoryStream(RandomBytes(3 * SmallChunk, 21)), null, null, TestContext.Current.CancellationToken);
            File.Delete(ChunkPath(manifest, 0));
            File.Delete(ChunkPath(manifest, 2));
            byte[] buffer = new byte[SmallChunk];
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(ChunkReadStatus.Missing, (await store.ReadChunkAsync(manifest, 0, buffer, TestContext.Current.CancellationToken)).Status);
                Assert.Equal(ChunkReadStatus.Missing, (await store.ReadChunkAsync(manifest, 2, buffer, TestContext.Current.CancellationToken)).Status);
            }

            Assert.Equal(6, store.IntegrityFailureCount);
        }

        var failures = logger.Entries.Where(e => e.EventId == 4002).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.Equal(LogLevel.Error, f.Level));
        Assert.Contains(failures, f => f.Message.Contains(manifest.Id.ToString(), StringComparison.Ordinal));

        await File.WriteAllTextAsync(Path.Combine(Root, "manifests", "junk"), "junk", TestContext.Current.CancellationToken);
        using var reopened = new ContentStore(new ContentStoreOptions { RootDirectory = Root, ChunkSize = SmallChunk, MaxContentLength = 1 << 20 }, logger);
        Assert.Single(logger.Entries, e => e.EventId == 4001 && e.Level == LogLevel.Warning && e.Message.Contains("junk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TruncatedChunk_IsLengthMismatch()
    {
        using ContentStore store = Open();
        ContentManifest manifest = await store.AddAsync(new MemoryStream(RandomBytes(SmallChunk + 100, 8)), null, null, TestContext.Current.CancellationToken);
        string path = ChunkPath(manifest, 0);
        using (FileStream file = File.OpenWrite(path))
        {
            file.SetLength(SmallChunk - 1);
        }

        ChunkReadResult result = await store.ReadChunkAsync(manifest, 0, new byte[SmallChunk], TestContext.Current.CancellationToken);
        Assert.Equal(ChunkReadStatus.LengthMismatch, result.Status);
        Assert.Equal(1, store.IntegrityFailureCount);
    }

    [Fact]
    public async Task DeletedChunk_IsMissing()
    {
        using ContentStore store = Open();
        ContentManifest manifest = await store.AddAsync(new MemoryStream(RandomBytes(SmallChunk + 100, 9)), null, null, TestContext.Current.CancellationToken);
        File.Delete(ChunkPath(manifest, 1));

        ChunkReadResult result = await store.ReadChunkAsync(manifest, 1, new byte[SmallChunk], TestContext.Current.CancellationToken);
        Assert.Equal(ChunkReadStatus.Missing, result.Status);
        Assert.Equal(1, store.IntegrityFailureCount);
        Assert.True((await store.ReadChunkAsync(manifest, 0, new byte[SmallChunk], TestContext.Current.CancellationToken)).IsOk);
    }

    [Fact]
    public async Task ReadChunk_AllocatesFarLessThanTheChunk()
    {
        using ContentStore store = Open(ContentManifestFormat.DefaultChunkSize);
        ContentManifest manifest = await store.AddAsync(new MemoryStream(RandomBytes(ContentManifestFormat.DefaultChunkSize, 20)), null, null, TestContext.Current.CancellationToken);
        byte[] buffer = new byte[manifest.ChunkSize];
        Assert.True((await store.ReadChunkAsync(manifest, 0, buffer, TestContext.Current.CancellationToken)).IsOk);
        const int reads = 50;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < reads; i++)
        {
            // Completes synchronously, so the loop stays on this thread.
            ValueTask<ChunkReadResult> read = store.ReadChunkAsync(manifest, 0, buffer, TestContext.Current.CancellationToken);
            Assert.True(read.IsCompletedSuccessfully);
            Assert.True((await read).IsOk);
        }

        long perRead = (GC.GetAllocatedBytesForCurrentThread() - before) / reads;
        Assert.True(perRead < 1024, $"{perRead} bytes allocated per chunk read.");
    }

    [Fact]
    public async Task ReadChunk_RejectsBadArguments()
    {
        using ContentStore store = Open();
        ContentManifest manifest = await store.AddAsync(new MemoryStream(RandomBytes(100, 10)), null, null, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReadChunkAsync(manifest, 1, new byte[SmallChunk], TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadChunkAsync(manifest, 0, new byte[99], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task BogusManifestFiles_AreQuarantinedAndSkipped()
    {
        byte[] content = RandomBytes(5000, 11);
        ContentId good;
        using (ContentStore store = Open())
        {
            good = (await store.AddAsync(new MemoryStream(content), null, null, TestContext.Current.CancellationToken)).Id;
        }

        string manifests = Path.Combine(Root, "manifests");
        byte[] garbage = RandomBytes(300, 12);
        await File.WriteAllBytesAsync(Path.Combine(manifests, Convert.ToHexStringLower(SHA256.HashData(garbage))), garbage, TestContext.Current.CancellationToken);
        byte[] validButMisnamed = ExpectedManifest(RandomBytes(10, 13), SmallChunk, null, null).Encoded.ToArray();
        await File.WriteAllBytesAsync(Path.Combine(manifests, new string('0', 64)), validButMisnamed, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(manifests, "notes.txt"), "hello", TestContext.Current.CancellationToken);

        using ContentStore reopened = Open();
        ContentManifest only = Assert.Single(reopened.List());
        Assert.Equal(good, only.Id);
        Assert.Equal(3, CountFiles("quarantine"));
        Assert.Equal(1, CountFiles("manifests"));
        Assert.Equal(content, await ReadAll(reopened, only));
    }

    [Fact]
    public async Task Upload_WithExactLength_InOddPieces_Completes()
    {
        using ContentStore store = Open();
        byte[] content = RandomBytes(3 * SmallChunk + 5, 14);
        await using ContentUpload upload = store.BeginUpload("pushed", "audio/opus", content.Length);
        int offset = 0;
        int piece = 1;
        while (offset < content.Length)
        {
            int take = Math.Min(piece, content.Length - offset);
            await upload.WriteAsync(content.AsMemory(offset, take), TestContext.Current.CancellationToken);
            offset += take;
            piece = piece * 3 + 1;
        }

        ContentManifest manifest = await upload.CompleteAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ExpectedManifest(content, SmallChunk, "pushed", "audio/opus").Id, manifest.Id);
        Assert.Equal(content, await ReadAll(store, manifest));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await upload.WriteAsync(new byte[1], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Upload_MoreBytesThanDeclared_IsRejected_AndLeavesNothing()
    {
        using ContentStore store = Open();
        byte[] content = RandomBytes(2 * SmallChunk + 10, 15);
        await using (ContentUpload upload = store.BeginUpload(null, null, content.Length - 1))
        {
            await upload.WriteAsync(content.AsMemory(0, 2 * SmallChunk), TestContext.Current.CancellationToken);
            await Assert.ThrowsAsync<InvalidDataException>(async () => await upload.WriteAsync(content.AsMemory(2 * SmallChunk), TestContext.Current.CancellationToken));
            await Assert.ThrowsAsync<InvalidOperationException>(() => upload.CompleteAsync(TestContext.Current.CancellationToken));
        }

        AssertEmpty(store);
    }

    [Fact]
    public async Task Upload_FewerBytesThanDeclared_IsRejectedAtCompletion_AndLeavesNothing()
    {
        using ContentStore store = Open();
        byte[] content = RandomBytes(2 * SmallChunk + 10, 16);
        await using (ContentUpload upload = store.BeginUpload(null, null, content.Length + 1))
        {
            await upload.WriteAsync(content, TestContext.Current.CancellationToken);
            await Assert.ThrowsAsync<InvalidDataException>(() => upload.CompleteAsync(TestContext.Current.CancellationToken));
        }

        AssertEmpty(store);
    }

    [Fact]
    public async Task Upload_AbandonedWithoutDispose_IsInvisible_AndCleanedAtStart()
    {
        using (ContentStore store = Open())
        {
            ContentUpload upload = store.BeginUpload(null, null, 3 * SmallChunk);
            await upload.WriteAsync(RandomBytes(2 * SmallChunk, 17), TestContext.Current.CancellationToken);
            Assert.Empty(store.List());
            Assert.Equal(2, CountFiles("tmp"));
        }

        using ContentStore reopened = Open();
        AssertEmpty(reopened);
    }

    [Fact]
    public async Task BeginUpload_RejectsBadLengths()
    {
        using ContentStore store = Open(maxLength: 10 * SmallChunk);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.BeginUpload(null, null, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.BeginUpload(null, null, 10 * SmallChunk + 1));
        Assert.Throws<ArgumentException>(() => store.BeginUpload(new string('x', 300), null, 1));
        await using ContentUpload empty = store.BeginUpload(null, null, 0);
        ContentManifest manifest = await empty.CompleteAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, manifest.ChunkCount);
        Assert.True(store.TryGetManifest(manifest.Id, out _));
    }

    [Fact]
    public async Task Add_LongerThanMaximum_IsRejected_AndLeavesNothing()
    {
        using ContentStore store = Open(maxLength: 3 * SmallChunk);
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            store.AddAsync(new MemoryStream(RandomBytes(3 * SmallChunk + 1, 18)), null, null, TestContext.Current.CancellationToken));
        AssertEmpty(store);
    }

    [Fact]
    public async Task ConcurrentAdds_AllVisibleAndReadable()
    {
        using ContentStore store = Open();
        byte[] shared = RandomBytes(2 * SmallChunk, 19);
        byte[][] contents = Enumerable.Range(0, 12)
            .Select(i => i % 3 == 0 ? shared : [.. shared.AsSpan(0, SmallChunk), .. RandomBytes(SmallChunk + i, 100 + i)])
            .ToArray();

        ContentManifest[] manifests = await Task.WhenAll(contents.Select(c =>
            Task.Run(() => store.AddAsync(new MemoryStream(c), null, null, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));

        Assert.Equal(9, store.List().Count); // 4 identical contents + 8 distinct ones
        for (int i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], await ReadAll(store, manifests[i]));
        }

        Assert.Equal(0, CountFiles("tmp"));
        Assert.Equal(2 + (8 * 2), CountFiles("chunks")); // the shared 2 chunks, plus 2 own chunks for each of the 8 others
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => new ContentStore(new ContentStoreOptions()));
        Assert.Throws<ArgumentException>(() => new ContentStore(new ContentStoreOptions { RootDirectory = Root, ChunkSize = 1000 }));
        Assert.Throws<ArgumentException>(() => new ContentStore(new ContentStoreOptions { RootDirectory = Root, MaxContentLength = 0 }));
        Assert.Throws<ArgumentException>(() => new ContentStore(new ContentStoreOptions { RootDirectory = Root, ChunkSize = 4096 })); // 4 GiB needs 1M chunks
        var defaults = new ContentStoreOptions { RootDirectory = Root };
        defaults.Validate();
        Assert.Equal(256 * 1024, defaults.ChunkSize);
        Assert.Equal(4L << 30, defaults.MaxContentLength);
    }

    private void AssertEmpty(ContentStore store)
    {
        Assert.Empty(store.List());
        Assert.Equal(0, CountFiles("tmp"));
        Assert.Equal(0, CountFiles("chunks"));
        Assert.Equal(0, CountFiles("manifests"));
    }
}

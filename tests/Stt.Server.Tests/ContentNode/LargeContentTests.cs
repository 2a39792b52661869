using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Server.Content;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Server.Tests.ContentNode;

/// <summary>Large content through the real node: the admin API, both transports, a restart, on-disk corruption, upload and resume.</summary>
[Collection("node-heavy")]
public sealed class LargeContentTests
{
    private const long BigLength = 50L * 1024 * 1024;

    [Fact]
    public async Task Fifty_megabytes_added_by_the_operator_are_served_over_both_transports_survive_a_restart_and_are_never_served_corrupt()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string work = Directory.CreateTempSubdirectory("stt-big-").FullName;
        string data = Directory.CreateTempSubdirectory("stt-node-").FullName;
        byte[] sharedSeed = RandomNumberGenerator.GetBytes(32);
        byte[] nodeSeed = RandomNumberGenerator.GetBytes(32);
        try
        {
            string source = Path.Combine(work, "big.bin");
            byte[] expected = ContentFiles.WriteRandom(source, BigLength);
            ContentId id;

            await using (TestNode node = await TestNode.StartAsync(null, data, sharedSeed, nodeSeed))
            {
                using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
                using HttpResponseMessage response = await http.PostAsJsonAsync("/admin/content", new { path = source, name = "big.bin" }, ct);
                string text = await response.Content.ReadAsStringAsync(ct);
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
                using (JsonDocument body = JsonDocument.Parse(text))
                {
                    id = ContentId.Parse(body.RootElement.GetProperty("id").GetString()!);
                }

                // UDP, to a file.
                await using (SttClient udp = await SttClient.ConnectAsync(ContentFiles.NodeUri(node, "udp"), sharedSeed, ct))
                {
                    string target = Path.Combine(work, "udp.bin");
                    ContentManifest manifest = await udp.FetchToFileAsync(id, target, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
                    Assert.Equal(BigLength, manifest.TotalLength);
                    Assert.Equal("big.bin", manifest.Name);
                    Assert.Equal(expected, ContentFiles.HashFile(target));
                    Assert.False(File.Exists(target + ".part"));
                    File.Delete(target);
                }

                // WebSocket, to a stream.
                await using (SttClient ws = await SttClient.ConnectAsync(node.WebSocketUri, sharedSeed, ct))
                {
                    string target = Path.Combine(work, "ws.bin");
                    await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write))
                    {
                        await ws.FetchAsync(id, file, null, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
                    }

                    Assert.Equal(expected, ContentFiles.HashFile(target));
                    File.Delete(target);
                }
            }

            // The same data folder and seeds: the content is still there.
            await using (TestNode restarted = await TestNode.StartAsync(null, data, sharedSeed, nodeSeed))
            {
                ContentStore store = restarted.Service<ContentStore>();
                await using SttClient client = await SttClient.ConnectAsync(ContentFiles.NodeUri(restarted, "udp"), sharedSeed, ct);
                string target = Path.Combine(work, "restarted.bin");
                ContentManifest manifest = await client.FetchToFileAsync(id, target, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
                Assert.Equal(expected, ContentFiles.HashFile(target));
                File.Delete(target);

                // Flip one byte of a chunk in the middle.
                int damaged = manifest.ChunkCount / 2;
                string hex = Convert.ToHexStringLower(manifest.GetChunkHash(damaged));
                string chunkPath = Path.Combine(store.RootDirectory, "chunks", hex[..2], hex);
                Assert.True(File.Exists(chunkPath), chunkPath);
                await using (var chunk = new FileStream(chunkPath, FileMode.Open, FileAccess.ReadWrite))
                {
                    chunk.Position = 17;
                    int b = chunk.ReadByte();
                    chunk.Position = 17;
                    chunk.WriteByte((byte)(b ^ 0x5A));
                }

                long failuresBefore = store.IntegrityFailureCount;
                var received = new MemoryStream();
                ContentIntegrityException error = await Assert.ThrowsAsync<ContentIntegrityException>(
                    () => client.FetchAsync(id, received, null, ct).WaitAsync(TimeSpan.FromSeconds(60), ct));
                var reported = Assert.IsType<DistributionException>(error.InnerException);
                Assert.Equal(DistributionStatus.IntegrityFailure, reported.Status);

                // Only the verified chunks before the damaged one reached the destination, and they are the original bytes.
                long prefix = manifest.GetChunkOffset(damaged);
                Assert.Equal(prefix, received.Length);
                await using (FileStream original = File.OpenRead(source))
                {
                    byte[] head = new byte[prefix];
                    await original.ReadExactlyAsync(head, ct);
                    Assert.Equal(SHA256.HashData(head), SHA256.HashData(received.ToArray()));
                }

                Assert.True(store.IntegrityFailureCount > failuresBefore, $"IntegrityFailureCount stayed at {store.IntegrityFailureCount}");
                string metrics = await new HttpClient().GetStringAsync(new Uri(restarted.HttpAddress, "/metrics"), ct);
                Assert.Contains("stt_content_integrity_failures", metrics, StringComparison.Ordinal);

                // The session is still usable: another content fetches fine.
                byte[] small = RandomNumberGenerator.GetBytes(100_000);
                ContentId smallId = await client.UploadAsync(new MemoryStream(small), small.Length, "small.bin", 16 * 1024, ct);
                var back = new MemoryStream();
                await client.FetchAsync(smallId, back, null, ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
                Assert.Equal(small, back.ToArray());
            }
        }
        finally
        {
            TryDelete(work);
            TryDelete(data);
        }
    }

    [Theory]
    [InlineData("udp", "websocket")]
    [InlineData("websocket", "udp")]
    public async Task A_peer_upload_from_a_stream_is_fetched_back_intact(string uploadOver, string fetchOver)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        byte[] content = RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 12345);
        await using SttClient uploader = await SttClient.ConnectAsync(ContentFiles.NodeUri(node, uploadOver), node.SharedSeedBytes, ct);
        await using SttClient fetcher = await SttClient.ConnectAsync(ContentFiles.NodeUri(node, fetchOver), node.SharedSeedBytes, ct);

        ContentId id = await uploader.UploadAsync(new MemoryStream(content), content.Length, "peer.bin", 256 * 1024, ct)
            .WaitAsync(TimeSpan.FromSeconds(60), ct);
        var fetched = new MemoryStream();
        ContentManifest manifest = await fetcher.FetchAsync(id, fetched, null, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal(id, manifest.Id);
        Assert.Equal(content.Length, manifest.TotalLength);
        Assert.Equal(33, manifest.ChunkCount);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(fetched.ToArray()));
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("websocket")]
    public async Task An_interrupted_download_to_a_file_resumes_and_completes_verified(string transport)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        string work = Directory.CreateTempSubdirectory("stt-resume-").FullName;
        try
        {
            string source = Path.Combine(work, "source.bin");
            const long length = 20L * 1024 * 1024;
            byte[] expected = ContentFiles.WriteRandom(source, length);
            ContentManifest added = await node.Service<ContentStore>().AddFileAsync(source, "resume.bin", null, ct);

            await using SttClient client = await SttClient.ConnectAsync(ContentFiles.NodeUri(node, transport), node.SharedSeedBytes, ct);
            string target = Path.Combine(work, "target.bin");
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var options = new FetchOptions
            {
                ChunksPerRequest = 4,
                Progress = new CancelAfter(interrupt, length / 3),
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => client.FetchToFileAsync(added.Id, target, options, interrupt.Token).WaitAsync(TimeSpan.FromSeconds(60), ct));

            string partial = target + ".part";
            Assert.True(File.Exists(partial));
            long partialLength = new FileInfo(partial).Length;
            Assert.InRange(partialLength, length / 3, length - 1);
            Assert.False(File.Exists(target));

            var reports = new List<long>();
            ContentManifest manifest = await client.FetchToFileAsync(added.Id, target, new FetchOptions { Progress = new Recorder(reports) }, ct)
                .WaitAsync(TimeSpan.FromSeconds(60), ct);

            Assert.Equal(length, manifest.TotalLength);
            Assert.Equal(expected, ContentFiles.HashFile(target));
            Assert.False(File.Exists(partial));

            // The second call started from the verified prefix, not from zero.
            Assert.NotEmpty(reports);
            Assert.True(reports[0] > 0, $"resumed from {reports[0]}");
            Assert.Equal(length, reports[^1]);
        }
        finally
        {
            TryDelete(work);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Cancels once the reported progress reaches a threshold; runs synchronously on the reporting thread.</summary>
    private sealed class CancelAfter(CancellationTokenSource source, long threshold) : IProgress<long>
    {
        public void Report(long value)
        {
            if (value >= threshold)
            {
                source.Cancel();
            }
        }
    }

    private sealed class Recorder(List<long> reports) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}

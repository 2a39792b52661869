using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Server.Health;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Server.Tests.Operations;

/// <summary>/healthz says the process runs; /readyz says it takes new work, and stops saying so as soon as shutdown begins.</summary>
[Collection("node-heavy")]
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Readyz_turns_503_when_shutdown_begins_while_healthz_stays_200()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?> { ["Stt:Content:ChunkSize"] = "16384" });
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };

        HttpResponseMessage healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        HttpResponseMessage readyz = await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        Assert.Equal("ready\n", await readyz.Content.ReadAsStringAsync(ct));
        Assert.True(node.Service<NodeReadiness>().IsReady);

        // A content response in flight, so shutdown has something to wait for.
        await using SttClient client = await SttClient.ConnectAsync(node.WebSocketUri, node.SharedSeedBytes, ct);
        byte[] content = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        ContentId id = await client.UploadAsync(new MemoryStream(content), content.Length, "ready.bin", 16 * 1024, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        var fetched = new MemoryStream();
        long baseline = client.Session.Statistics.BytesReceived;
        Task<ContentManifest> fetch = client.FetchAsync(id, fetched, new FetchOptions { ChunksPerRequest = 512, MaxParallelRequests = 1 }, ct);
        await FetchProbe.WaitUntilReceivingAsync(client.Session, baseline, 512 * 1024, fetch);
        Assert.False(fetch.IsCompleted, "the fetch ended before shutdown began; nothing was in flight");

        node.Service<IHostApplicationLifetime>().StopApplication();
        Assert.False(node.Service<NodeReadiness>().IsReady);
        Assert.True(node.Service<NodeReadiness>().IsStopping);

        // Kestrel still answers (nothing has stopped it yet): not ready, but alive.
        readyz = await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Equal("stopping\n", await readyz.Content.ReadAsStringAsync(ct));
        healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);

        // Stopping waits for the response in flight to be queued, then closes the session with SHUTTING_DOWN; the client
        // either read it all (verified) or lost the unread tail to the CLOSE (see SigtermTests).
        Task stop = node.StopAsync();
        try
        {
            ContentManifest manifest = await fetch.WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.Equal(content.Length, manifest.TotalLength);
            Assert.True(content.AsSpan().SequenceEqual(fetched.GetBuffer().AsSpan(0, (int)fetched.Length)));
        }
        catch (Stt.Transport.SessionClosedException cut)
        {
            Assert.Equal(Stt.Protocol.ProtocolErrorCode.ShuttingDown, cut.CloseCode);
        }

        await stop.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(Stt.Protocol.ProtocolErrorCode.ShuttingDown, client.Session.CloseCode);
        Assert.False(node.Service<NodeReadiness>().IsReady);
    }
}

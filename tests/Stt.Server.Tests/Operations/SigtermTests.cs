using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol;
using Stt.Protocol.Distribution;
using Stt.Transport;
using Xunit;

namespace Stt.Server.Tests.Operations;

/// <summary>SIGTERM to a node process: not ready at once, in-flight content finishes, sessions get CLOSE SHUTTING_DOWN, exit 0.</summary>
[Collection("node-heavy")]
public sealed class SigtermTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Sigterm_drains_fetches_closes_sessions_with_shutting_down_and_exits_cleanly()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NodeProcess node = await NodeProcess.StartAsync(new Dictionary<string, string>
        {
            ["Stt:ShutdownTimeout"] = "00:00:08",
        });
        SttClientOptions options = SttClientOptions.FromSharedSeedFile(node.SharedSeedPath);
        using Stt.Protocol.Identity.SharedSeed seed = options.SharedSeed;

        await using SttClient udp = await SttClient.ConnectAsync(node.UdpUri, options, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        await using SttClient ws = await SttClient.ConnectAsync(node.WebSocketUri, options, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        // 24 MB in 16 KiB chunks: all asked for in one GET_CHUNKS request, so the response is one in-flight response
        // that shutdown must let finish.
        const int chunkSize = 16 * 1024;
        byte[] content = RandomNumberGenerator.GetBytes(24 * 1024 * 1024);
        ContentId id = await ws.UploadAsync(new MemoryStream(content), content.Length, "big.bin", chunkSize, ct).WaitAsync(TimeSpan.FromSeconds(120), ct);

        // The WebSocket client is subscribed to a channel.
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Exception?> subscription = Task.Run(async () =>
        {
            try
            {
                await foreach (ChannelMessage message in ws.SubscribeAsync("ops/term", replay: true, ct))
                {
                    subscribed.TrySetResult();
                }

                return null;
            }
            catch (Exception e) when (e is SessionClosedException or DistributionException)
            {
                return e;
            }
        }, ct);
        await using (ChannelPublisher publisher = await udp.PublishAsync("ops/term", ct))
        {
            await publisher.WriteAsync("hello"u8.ToArray(), ct);
            await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
        }

        var fetched = new MemoryStream();
        long baseline = udp.Session.Statistics.BytesReceived;
        Task<ContentManifest> fetch = udp.FetchAsync(id, fetched, new FetchOptions { ChunksPerRequest = content.Length / chunkSize, MaxParallelRequests = 1 }, ct);
        await FetchProbe.WaitUntilReceivingAsync(udp.Session, baseline, 1024 * 1024, fetch);
        bool fetchRunningAtSigterm = !fetch.IsCompleted;

        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        node.SendSigterm();

        // /readyz turns 503 at once (while Kestrel still answers), or the node at least logged that it is shutting down.
        HttpStatusCode? readyz = null;
        for (int i = 0; i < 50 && readyz != HttpStatusCode.ServiceUnavailable; i++)
        {
            try
            {
                readyz = (await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct)).StatusCode;
            }
            catch (HttpRequestException)
            {
                break; // Kestrel already stopped listening.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }
        }

        bool exited = await node.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(10));
        TimeSpan exitTime = watch.Elapsed;
        Assert.True(exited, $"The node still runs {exitTime} after SIGTERM:\n{node.Output}");
        Assert.True(node.Process.ExitCode == 0, $"Exit code {node.Process.ExitCode}:\n{node.Output}");
        Assert.True(exitTime < ShutdownTimeout + TimeSpan.FromSeconds(5), $"Exit took {exitTime}:\n{node.Output}");
        Assert.True(readyz == HttpStatusCode.ServiceUnavailable || node.HasLogged("Shutting down"), $"readyz {readyz}:\n{node.Output}");
        Assert.True(node.HasLogged("Shutting down"), node.Output);
        Assert.True(node.HasLogged("Shutdown complete"), node.Output);

        // The fetch that was running when SIGTERM arrived: the node lets its response be fully queued before it sends
        // CLOSE, but CLOSE ends the session at once on the client, so chunks still unread in the client's receive
        // buffer are lost (SttSession refuses reads once closed). So the fetch either finishes verified or ends with
        // SHUTTING_DOWN; it never hangs and never yields unverified bytes.
        Assert.True(fetchRunningAtSigterm, "the fetch finished before SIGTERM; the content is too small to test draining");
        try
        {
            ContentManifest manifest = await fetch.WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.Equal(content.Length, manifest.TotalLength);
            Assert.True(content.AsSpan().SequenceEqual(fetched.GetBuffer().AsSpan(0, (int)fetched.Length)), "fetched content differs");
        }
        catch (SessionClosedException cut)
        {
            Assert.Equal(ProtocolErrorCode.ShuttingDown, cut.CloseCode);
            Assert.True(content.AsSpan(0, (int)fetched.Length).SequenceEqual(fetched.GetBuffer().AsSpan(0, (int)fetched.Length)), "the verified prefix differs");
        }

        // Both sessions were closed by the node with SHUTTING_DOWN.
        await Task.WhenAll(udp.Session.Completion, ws.Session.Completion).WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(ProtocolErrorCode.ShuttingDown, udp.Session.CloseCode);
        Assert.Equal(ProtocolErrorCode.ShuttingDown, ws.Session.CloseCode);
        Exception? subscriptionEnd = await subscription.WaitAsync(TimeSpan.FromSeconds(5), ct);
        if (subscriptionEnd is SessionClosedException closed)
        {
            Assert.Equal(ProtocolErrorCode.ShuttingDown, closed.CloseCode);
        }
    }
}

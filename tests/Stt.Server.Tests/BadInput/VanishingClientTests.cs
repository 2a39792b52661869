using System.Net;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Server.Content;
using Stt.Server.Hosting;
using Stt.Server.Sessions;
using Stt.Server.Tests.ContentNode;
using Stt.Server.Tests.FanOut;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Server.Tests.BadInput;

/// <summary>A client that disappears mid-download without closing: the node frees its session and its in-flight responses.</summary>
[Collection("node-heavy")]
public sealed class VanishingClientTests
{
    [Theory]
    [InlineData("udp")]
    [InlineData("websocket")]
    public async Task A_client_vanishing_mid_transfer_is_freed_and_others_still_fetch(string transport)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Sessions:IdleTimeout"] = "00:00:03",
            ["Stt:Sessions:KeepAliveInterval"] = "00:00:01",
        });
        var manager = node.Service<SessionManager>();
        var inFlight = node.Service<InFlightResponses>();
        string work = Directory.CreateTempSubdirectory("stt-vanish-").FullName;
        try
        {
            string source = Path.Combine(work, "ten.bin");
            byte[] expected = ContentFiles.WriteRandom(source, 10L * 1024 * 1024);
            ContentManifest manifest = await node.Service<ContentStore>().AddFileAsync(source, "ten.bin", null, ct);
            int baseline = manager.Count;
            Assert.Equal(0, inFlight.Count);

            using var relay = transport == "udp" ? (IDisposable)new UdpRelay(node.UdpEndPoint) : new TcpRelay(new IPEndPoint(IPAddress.Loopback, node.HttpAddress.Port));
            int port = relay is UdpRelay udp ? udp.Port : ((TcpRelay)relay).Port;
            Uri uri = transport == "udp" ? new Uri($"stt+udp://127.0.0.1:{port}") : new Uri($"ws://127.0.0.1:{port}/stt");
            SttClient vanishing = await SttClient.ConnectAsync(uri, node.SharedSeedBytes, ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            try
            {
                // The node admits the session from its accept loop, shortly after the client sees it established.
                await Eventually.TrueAsync(() => manager.Count == baseline + 1, $"session admitted (count {manager.Count})", seconds: 10);

                // The progress callback holds the download after 2 MB until the client has vanished, so the node is
                // mid-response (further batches in flight, blocked on flow control) when the connection goes.
                using var halfway = new ManualResetEventSlim();
                using var resume = new ManualResetEventSlim();
                var options = new FetchOptions
                {
                    ChunksPerRequest = 2,
                    MaxParallelRequests = 4,
                    Progress = new HoldAt(2L * 1024 * 1024, halfway, resume),
                };
                Task fetch = Task.Run(() => vanishing.FetchAsync(manifest.Id, Stream.Null, options, ct), ct);
                Assert.True(halfway.Wait(TimeSpan.FromSeconds(30), ct), "the download never reached 2 MB");
                Assert.True(inFlight.Count > 0 || !fetch.IsCompleted, "nothing was in flight when the client vanished");

                if (relay is UdpRelay u)
                {
                    u.Cut();
                }
                else
                {
                    ((TcpRelay)relay).Cut();
                }

                // UDP: the node hears nothing more and closes by idle timeout (3 s). WebSocket: the reset frees it at once.
                await Eventually.TrueAsync(() => manager.Count == baseline, $"session count back to {baseline} (now {manager.Count})", seconds: 20);
                await Eventually.TrueAsync(() => inFlight.Count == 0, $"in-flight responses drained (now {inFlight.Count})", seconds: 20);
                resume.Set();

                // Another client still fetches the same content, complete and verified.
                await using SttClient other = await SttClient.ConnectAsync(ContentFiles.NodeUri(node, transport), node.SharedSeedBytes, ct);
                string target = Path.Combine(work, "other.bin");
                await other.FetchToFileAsync(manifest.Id, target, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
                Assert.Equal(expected, ContentFiles.HashFile(target));

                // The vanished client's own download does not complete.
                await vanishing.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20), ct);
                await Assert.ThrowsAnyAsync<Exception>(() => fetch.WaitAsync(TimeSpan.FromSeconds(20), ct));
            }
            finally
            {
                await vanishing.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>Blocks the reporting download once it passes a threshold, until released (bounded).</summary>
    private sealed class HoldAt(long threshold, ManualResetEventSlim reached, ManualResetEventSlim release) : IProgress<long>
    {
        public void Report(long value)
        {
            if (value >= threshold && !reached.IsSet)
            {
                reached.Set();
                release.Wait(TimeSpan.FromSeconds(40));
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Identity;
using Stt.Server.Sessions;
using Stt.Server.Tests.FanOut;
using Stt.Server.Tests.Node;
using Stt.Transport;
using Stt.Transport.Udp;
using Xunit;

namespace Stt.Server.Tests.BadInput;

/// <summary>Thousands of handshakes at once: each one establishes or meets a documented refusal, and the node keeps serving.</summary>
[Collection("node-heavy")]
public sealed class SessionFloodTests
{
    private const int UdpSessions = 1_000;
    // The node's UDP handshake guard admits a burst of 40 HELLOs per source address, then 20 a second
    // (HandshakeGuardOptions defaults); the UDP clients spread over 50 loopback addresses, 20 sessions each, to stay
    // inside every source's burst. One_source_past_its_handshake_burst_... covers what happens beyond it.
    private const int UdpEndpoints = 50;
    private const int WebSocketSessions = 1_000;
    private const int WebSocketConcurrency = 200;

    [Fact]
    public async Task Two_thousand_sessions_connecting_at_once_establish_or_are_refused_as_documented()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Sessions:HandshakeTimeout"] = "00:00:20",
        });
        var manager = node.Service<SessionManager>();
        var watch = Stopwatch.StartNew();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(45));

        using var identity = new NodeIdentity(RandomNumberGenerator.GetBytes(32));
        using var seed = new SharedSeed(node.SharedSeedBytes);
        var endpoints = new List<UdpEndpoint>();
        for (int i = 0; i < UdpEndpoints; i++)
        {
            endpoints.Add(new UdpEndpoint(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(10 + i)]), 0), identity, seed));
        }

        var udpSessions = new ConcurrentBag<UdpSession>();
        var wsClients = new ConcurrentBag<SttClient>();
        var refusals = new ConcurrentDictionary<string, int>();
        try
        {
            Task udp = Task.WhenAll(Enumerable.Range(0, UdpSessions).Select(async i =>
            {
                try
                {
                    udpSessions.Add(await endpoints[i % UdpEndpoints].ConnectAsync(node.UdpEndPoint, bound.Token));
                }
                catch (SessionClosedException ex)
                {
                    // Documented for UDP: the handshake times out (no FINAL), e.g. when the node drops HELLOs past its caps.
                    refusals.AddOrUpdate($"udp {ex.CloseCode}", 1, (_, n) => n + 1);
                }
                catch (OperationCanceledException)
                {
                    refusals.AddOrUpdate("udp abandoned", 1, (_, n) => n + 1);
                }
            }));

            using var gate = new SemaphoreSlim(WebSocketConcurrency);
            Task ws = Task.WhenAll(Enumerable.Range(0, WebSocketSessions).Select(async _ =>
            {
                await gate.WaitAsync(bound.Token);
                try
                {
                    wsClients.Add(await SttClient.ConnectAsync(node.WebSocketUri, node.SharedSeedBytes, bound.Token));
                }
                catch (WebSocketException ex) when (ex.Message.Contains("503", StringComparison.Ordinal))
                {
                    // Documented for WebSocket: 503 past Stt:Sessions:MaxHalfOpen.
                    refusals.AddOrUpdate("websocket 503", 1, (_, n) => n + 1);
                }
                catch (SessionClosedException ex)
                {
                    refusals.AddOrUpdate($"websocket {ex.CloseCode}", 1, (_, n) => n + 1);
                }
                catch (OperationCanceledException)
                {
                    refusals.AddOrUpdate("websocket abandoned", 1, (_, n) => n + 1);
                }
                finally
                {
                    gate.Release();
                }
            }));

            await Task.WhenAll(udp, ws).WaitAsync(TimeSpan.FromSeconds(60), ct);
            int established = udpSessions.Count + wsClients.Count;
            int refused = refusals.Values.Sum();
            string summary = $"{udpSessions.Count} UDP + {wsClients.Count} WebSocket established in {watch.Elapsed.TotalSeconds:F1} s; refused: "
                + string.Join(", ", refusals.Select(r => $"{r.Key}={r.Value}"));
            TestContext.Current.TestOutputHelper?.WriteLine(summary);

            // Every attempt ended one way or the other; below every cap (20,000 sessions, 5,000 per source, 2,048
            // half-open, each source's handshake burst) every one establishes.
            Assert.Equal(UdpSessions + WebSocketSessions, established + refused);
            Assert.True(refused == 0, summary);

            // The node counts exactly the sessions the clients hold open.
            await Eventually.TrueAsync(() => manager.Count == established, $"session count {established} (now {manager.Count}); {summary}", seconds: 20);

            // And it still serves a new client over each transport.
            await NodeChecks.AssertServingAsync(node, "udp", ct);
            await NodeChecks.AssertServingAsync(node, "websocket", ct);
            Assert.Equal(established, manager.Count);
        }
        finally
        {
            await Task.WhenAll(wsClients.Select(c => c.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            foreach (UdpEndpoint endpoint in endpoints)
            {
                await endpoint.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
        }

        // Closed sessions leave the node.
        await Eventually.TrueAsync(() => manager.Count == 0, $"every session gone (now {manager.Count})", seconds: 30);
    }

    [Fact]
    public async Task One_source_past_its_handshake_burst_gets_no_session_for_the_excess_and_the_node_serves_others()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        var manager = node.Service<SessionManager>();
        using var identity = new NodeIdentity(RandomNumberGenerator.GetBytes(32));
        using var seed = new SharedSeed(node.SharedSeedBytes);
        await using var endpoint = new UdpEndpoint(new IPEndPoint(new IPAddress([127, 0, 0, 9]), 0), identity, seed);
        const int attempts = 300;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(4));
        var watch = Stopwatch.StartNew();
        var sessions = new ConcurrentBag<UdpSession>();
        int dropped = 0;
        await Task.WhenAll(Enumerable.Range(0, attempts).Select(async _ =>
        {
            try
            {
                sessions.Add(await endpoint.ConnectAsync(node.UdpEndPoint, bound.Token));
            }
            catch (Exception ex) when (ex is OperationCanceledException or SessionClosedException)
            {
                // The node drops HELLOs past the source's rate without answering: the handshake never completes.
                Interlocked.Increment(ref dropped);
            }
        })).WaitAsync(TimeSpan.FromSeconds(30), ct);
        double seconds = watch.Elapsed.TotalSeconds;

        // At most the burst (40) plus 20 a second established; the rest got nothing.
        Assert.Equal(attempts, sessions.Count + dropped);
        Assert.InRange(sessions.Count, 1, 40 + (int)Math.Ceiling(20 * seconds) + 1);
        Assert.True(dropped > 0);
        await Eventually.TrueAsync(() => manager.Count == sessions.Count, $"session count {sessions.Count} (now {manager.Count})", seconds: 10);
        await NodeChecks.AssertServingAsync(node, "udp", ct);
        await NodeChecks.AssertServingAsync(node, "websocket", ct);
    }
}

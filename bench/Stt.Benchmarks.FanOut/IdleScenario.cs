using System.Diagnostics;
using System.Net.WebSockets;
using Stt.Protocol.Identity;
using Stt.Transport;
using Stt.Transport.Udp;
using Stt.Transport.WebSockets;

namespace Stt.Benchmarks.FanOut;

/// <summary>What one idle-session measurement found; memory figures are the server's VmRSS. ActiveOnNode is -1 for the plain server, which has no metrics.</summary>
internal sealed record IdleResult(
    string Transport,
    int Requested,
    int Established,
    long ActiveOnNode,
    double ConnectSeconds,
    long BaselineRss,
    long LoadedRss,
    long LaterRss,
    double IdleServerCpuPercent)
{
    public double BytesPerSession => Established == 0 ? double.NaN : (double)(LoadedRss - BaselineRss) / Established;

    public double BytesPerSessionLater => Established == 0 ? double.NaN : (double)(LaterRss - BaselineRss) / Established;
}

/// <summary>
/// Holds N idle sessions against a node in a child process and reads the node's resident memory before, 2 s after the
/// last session is up, and 10 s later. A warm-up session of the same transport is opened and closed first so the
/// baseline includes the code paths (JIT, pools) a session touches. The node cannot be made to collect garbage from
/// outside, so the figures include whatever garbage the handshakes left that the GC has not returned yet.
/// The <see cref="PlainTransport"/> variant holds plain <see cref="ClientWebSocket"/>s on the plain Kestrel server's
/// <c>/sub</c> endpoint (no STT): the physical baseline of an idle WebSocket connection on the same host.
/// </summary>
internal static class IdleScenario
{
    /// <summary>The transport name of the plain-Kestrel baseline row.</summary>
    public const string PlainTransport = "plain Kestrel WS";

    public static async Task<IdleResult> RunAsync(string transport, int count, CancellationToken ct)
    {
        if (transport == PlainTransport)
        {
            return await RunPlainAsync(count, ct);
        }

        await using ChildServer node = await ChildServer.StartNodeAsync(ct);
        var owned = new List<IAsyncDisposable>();
        try
        {
            // Warm-up: one session, closed again.
            var warmOwned = new List<IAsyncDisposable>();
            List<SttSession> warm = await ConnectAsync(node, transport, 1, warmOwned, ct);
            await warm[0].DisposeAsync();
            foreach (IAsyncDisposable item in warmOwned)
            {
                await item.DisposeAsync();
            }

            await Task.Delay(2000, ct);
            long baseline = node.ResidentBytes;

            var clock = Stopwatch.StartNew();
            List<SttSession> sessions = await ConnectAsync(node, transport, count, owned, ct);
            double connectSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(2000, ct);
            long loaded = node.ResidentBytes;
            long active = (long)await node.ScrapeAsync("stt_sessions_active", ct);
            double cpu0 = node.CpuSeconds;
            await Task.Delay(10_000, ct);
            double idleCpu = (node.CpuSeconds - cpu0) / 10 * 100;
            long later = node.ResidentBytes;
            return new IdleResult(transport, count, sessions.Count, active, connectSeconds, baseline, loaded, later, idleCpu);
        }
        finally
        {
            await Task.WhenAll(owned.Where(o => o is not DisposeLater).Select(o => o.DisposeAsync().AsTask()))
                .WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (IAsyncDisposable later in owned.OfType<DisposeLater>())
            {
                await later.DisposeAsync();
            }
        }
    }

    private static async Task<IdleResult> RunPlainAsync(int count, CancellationToken ct)
    {
        await using ChildServer server = await ChildServer.StartPlainAsync(ct);
        var uri = new Uri($"ws://127.0.0.1:{server.HttpPort}/sub");
        var sockets = new List<ClientWebSocket>(count);
        try
        {
            // Warm-up: one connection, closed again, as for the node.
            using (ClientWebSocket warm = await ConnectPlainAsync(uri, ct))
            {
                await warm.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
            }

            await Task.Delay(2000, ct);
            long baseline = server.ResidentBytes;

            var clock = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(32);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    ClientWebSocket socket = await ConnectPlainAsync(uri, ct);
                    lock (sockets)
                    {
                        sockets.Add(socket);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
            double connectSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(2000, ct);
            long loaded = server.ResidentBytes;
            double cpu0 = server.CpuSeconds;
            await Task.Delay(10_000, ct);
            double idleCpu = (server.CpuSeconds - cpu0) / 10 * 100;
            long later = server.ResidentBytes;
            return new IdleResult(PlainTransport, count, sockets.Count, -1, connectSeconds, baseline, loaded, later, idleCpu);
        }
        finally
        {
            foreach (ClientWebSocket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<ClientWebSocket> ConnectPlainAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(uri, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<List<SttSession>> ConnectAsync(ChildServer node, string transport, int count, List<IAsyncDisposable> owned, CancellationToken ct)
    {
        if (transport == "UDP")
        {
            // 100 sessions per source address: 30 at once, the other 70 at 18/s, so 10,000 take about 4 s.
            List<UdpSession> udp = await UdpSessions.ConnectAsync(node, count, perSource: Math.Min(count, 100), owned, ct);
            return [.. udp];
        }

        var seed = new SharedSeed(node.SharedSeed);
        NodeIdentity identity = FanOutScenario.RandomIdentity();
        var sessions = new List<SttSession>(count);
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(ct);
            try
            {
                WebSocketSession session = await WebSocketSession.ConnectAsync(node.SttWebSocketUri, identity, seed, null, null, ct);
                lock (sessions)
                {
                    sessions.Add(session);
                    owned.Add(session);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        owned.Add(new DisposeLater(identity));
        owned.Add(new DisposeLater(seed));
        return sessions;
    }
}

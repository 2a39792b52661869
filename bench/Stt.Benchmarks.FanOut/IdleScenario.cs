using System.Diagnostics;
using System.Net.WebSockets;
using Stt.Protocol.Identity;
using Stt.Transport;
using Stt.Transport.Udp;
using Stt.Transport.WebSockets;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// What one idle-session measurement found; memory figures are the server's VmRSS. ActiveOnNode is -1 for the plain
/// server, which has no metrics. HalfRss is read 2 s after the first half of the sessions is up, before the second
/// half is connected.
/// </summary>
internal sealed record IdleResult(
    string Transport,
    int Requested,
    int Established,
    long ActiveOnNode,
    double ConnectSeconds,
    long BaselineRss,
    long LoadedRss,
    long LaterRss,
    double IdleServerCpuPercent,
    int HalfEstablished,
    long HalfRss)
{
    public double BytesPerSession => Established == 0 ? double.NaN : (double)(LoadedRss - BaselineRss) / Established;

    public double BytesPerSessionLater => Established == 0 ? double.NaN : (double)(LaterRss - BaselineRss) / Established;

    /// <summary>
    /// What each session of the second half added: free of one-time costs that the first sessions pay (tier-1 JIT of
    /// the session code paths, pools and tables growing to their working size), which the warm-up session does not.
    /// </summary>
    public double MarginalBytesPerSession =>
        Established <= HalfEstablished ? double.NaN : (double)(LoadedRss - HalfRss) / (Established - HalfEstablished);
}

/// <summary>
/// Holds N idle sessions against a node in a child process and reads the node's resident memory before, 2 s after the
/// last session is up, and 10 s later. A warm-up session of the same transport is opened and closed first so the
/// baseline includes the code paths (JIT, pools) a session touches. The node cannot be made to collect garbage from
/// outside, so the figures include whatever garbage the handshakes left that the GC has not returned yet.
/// The sessions are connected in two halves with a 2 s pause between, in which the memory is read too, so the report
/// can also give the marginal cost of a session (<see cref="IdleResult.MarginalBytesPerSession"/>).
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

            var sessions = new List<SttSession>(count);
            return await MeasureAsync(
                node,
                transport,
                count,
                async n => sessions.AddRange(await ConnectAsync(node, transport, n, owned, ct)),
                () => sessions.Count,
                async () => (long)await node.ScrapeAsync("stt_sessions_active", ct),
                ct);
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

    /// <summary>Baseline, then two halves of <paramref name="count"/> sessions with a reading after each, then 10 s idle.</summary>
    private static async Task<IdleResult> MeasureAsync(
        ChildServer server, string transport, int count, Func<int, Task> connect, Func<int> established, Func<Task<long>> active, CancellationToken ct)
    {
        await Task.Delay(2000, ct);
        long baseline = server.ResidentBytes;

        int firstHalf = count / 2;
        var clock = Stopwatch.StartNew();
        await connect(firstHalf);
        double connectSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(2000, ct);
        long half = server.ResidentBytes;
        int halfEstablished = established();

        clock.Restart();
        await connect(count - firstHalf);
        connectSeconds += clock.Elapsed.TotalSeconds;
        await Task.Delay(2000, ct);
        long loaded = server.ResidentBytes;
        long activeOnServer = await active();
        double cpu0 = server.CpuSeconds;
        await Task.Delay(10_000, ct);
        double idleCpu = (server.CpuSeconds - cpu0) / 10 * 100;
        long later = server.ResidentBytes;
        return new IdleResult(transport, count, established(), activeOnServer, connectSeconds, baseline, loaded, later, idleCpu, halfEstablished, half);
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

            return await MeasureAsync(
                server,
                PlainTransport,
                count,
                async n =>
                {
                    using var gate = new SemaphoreSlim(32);
                    await Task.WhenAll(Enumerable.Range(0, n).Select(async _ =>
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
                },
                () => sockets.Count,
                () => Task.FromResult(-1L),
                ct);
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

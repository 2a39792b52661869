using System.Diagnostics;
using System.Net;
using Stt.Protocol.Identity;
using Stt.Transport.Udp;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// Many UDP sessions from one process: a few shared <see cref="UdpEndpoint"/>s, each bound to its own loopback
/// address (127.0.0.2, 127.0.0.3, ...) because the node's handshake guard admits 20 handshakes per second per source
/// address after a burst of 40 (HandshakeGuardOptions defaults, not configurable on the node). Each endpoint connects
/// its first 30 sessions at once and the rest at 18 per second; at most 128 handshakes are in flight in total, below
/// the node's stateless-retry threshold of 256 half-open handshakes.
/// </summary>
internal static class UdpSessions
{
    private const int Burst = 30;
    private const double PerSecond = 18;

    public static async Task<List<UdpSession>> ConnectAsync(ChildServer server, int count, int perSource, List<IAsyncDisposable> owned, CancellationToken ct)
    {
        var seed = new SharedSeed(server.SharedSeed);
        int sources = (count + perSource - 1) / perSource;
        if (sources > 250)
        {
            throw new ArgumentOutOfRangeException(nameof(perSource), "More than 250 source addresses would be needed.");
        }

        var sessions = new List<UdpSession>(count);
        using var gate = new SemaphoreSlim(128);
        var endpoints = new List<UdpEndpoint>();
        var identities = new List<NodeIdentity>();
        for (int s = 0; s < sources; s++)
        {
            NodeIdentity identity = FanOutScenario.RandomIdentity();
            identities.Add(identity);
            var endpoint = new UdpEndpoint(new IPEndPoint(IPAddress.Parse($"127.0.0.{s + 2}"), 0), identity, seed);
            endpoints.Add(endpoint);
            owned.Add(endpoint);
        }

        // The caller keeps ownership of identities and seed: they go after the endpoints (see DisposeLater).
        owned.AddRange(identities.Select(i => new DisposeLater(i)));
        owned.Add(new DisposeLater(seed));
        await Task.WhenAll(endpoints.Select((endpoint, s) => Task.Run(async () =>
        {
            int mine = Math.Min(perSource, count - (s * perSource));
            var clock = Stopwatch.StartNew();
            var pending = new List<Task>();
            for (int i = 0; i < mine; i++)
            {
                if (i >= Burst)
                {
                    double due = (i - Burst + 1) / PerSecond;
                    double wait = due - clock.Elapsed.TotalSeconds;
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait), ct);
                    }
                }

                await gate.WaitAsync(ct);
                pending.Add(ConnectOneAsync(endpoint, server.UdpEndPoint, sessions, gate, ct));
            }

            await Task.WhenAll(pending);
        }, ct)));
        return sessions;
    }

    private static async Task ConnectOneAsync(UdpEndpoint endpoint, IPEndPoint node, List<UdpSession> sessions, SemaphoreSlim gate, CancellationToken ct)
    {
        try
        {
            UdpSession session = await endpoint.ConnectAsync(node, ct);
            lock (sessions)
            {
                sessions.Add(session);
            }
        }
        finally
        {
            gate.Release();
        }
    }

}

/// <summary>Something to dispose only after the sessions and endpoints that use it.</summary>
internal sealed class DisposeLater(IDisposable inner) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        inner.Dispose();
        return ValueTask.CompletedTask;
    }
}

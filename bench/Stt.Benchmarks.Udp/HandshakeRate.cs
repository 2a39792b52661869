using System.Diagnostics;
using System.Net;
using Stt.Protocol.Identity;
using Stt.Transport.Udp;
using Stt.Transport.Udp.Security;

namespace Stt.Benchmarks.Udp;

/// <summary>How many handshakes one responder completes per second, with a fixed number of attempts in flight.</summary>
internal static class HandshakeRate
{
    public static async Task<double> RunAsync(TimeSpan duration, int concurrency)
    {
        using var clientIdentity = new NodeIdentity(Enumerable.Repeat((byte)1, 32).ToArray());
        using var serverIdentity = new NodeIdentity(Enumerable.Repeat((byte)2, 32).ToArray());
        using var seed = new SharedSeed(Enumerable.Repeat((byte)3, 32).ToArray());
        // Every client here shares one source address, so the per-source handshake rate limit (20/s by default,
        // a defence against floods) is lifted to measure what the responder's cryptography sustains.
        var options = new UdpTransportOptions
        {
            ReceiveBufferSize = 4 << 20,
            AcceptBacklog = 4096,
            HandshakeGuard = HandshakeGuardOptions.Default with { HandshakesPerSecondPerSource = 1_000_000, HandshakeBurstPerSource = 1_000_000 },
        };
        await using var server = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), serverIdentity, seed, options);
        await using var client = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), clientIdentity, seed, options);
        using var stop = new CancellationTokenSource();
        long completed = 0;

        // Closing drains for three probe timeouts; the workers start the next handshake at once and the closes are
        // awaited at the end, so the figure is the handshake rate and not the drain time.
        var closes = new System.Collections.Concurrent.ConcurrentBag<Task>();

        Task acceptor = Task.Run(async () =>
        {
            var closing = new List<Task>();
            try
            {
                while (true)
                {
                    UdpSession session = await server.AcceptAsync(stop.Token);
                    closing.Add(session.CloseAsync());
                }
            }
            catch (OperationCanceledException)
            {
            }

            await Task.WhenAll(closing).WaitAsync(TimeSpan.FromSeconds(10));
        });

        var clock = Stopwatch.StartNew();
        var workers = new Task[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    UdpSession session = await client.ConnectAsync(server.LocalEndPoint);
                    Interlocked.Increment(ref completed);
                    closes.Add(session.CloseAsync());
                }
            });
        }

        await Task.WhenAll(workers);
        double rate = completed / clock.Elapsed.TotalSeconds;
        await Task.WhenAll(closes).WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await acceptor;
        return rate;
    }
}

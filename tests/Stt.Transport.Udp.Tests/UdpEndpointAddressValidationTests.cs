using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Security;
using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests;

/// <summary>Address validation over real loopback sockets (docs/protocol.md, section 15).</summary>
/// <remarks>
/// Linux routes all of 127.0.0.0/8 to loopback, so raw sockets bound to distinct 127.0.x.y addresses are distinct sources
/// to the rate limiter, and every datagram the server sends to a source is captured by that source's own socket.
/// </remarks>
public class UdpEndpointAddressValidationTests
{
    private const int HelloLength = 1200 - RetryFrames.CookieHelloOverhead;
    private const int ResponseLength = 135;

    private readonly ITestOutputHelper _output = TestContext.Current.TestOutputHelper!;

    [Fact]
    public async Task ConnectAsync_ServerRetriesEveryHello_ConnectsAfterOneRetryAndStreamsWork()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server(TestPeers.Options() with { HandshakeGuard = HandshakeGuardOptions.Default with { RetryThreshold = 0 } });
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));

        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        Assert.Equal(SessionState.Active, outbound.State);
        Assert.Equal(outbound.SessionId, inbound.SessionId);
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=retry-sent"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=retry-received"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=completed"));
        Assert.Equal(0, metrics.Get("stt.udp.datagrams.dropped"));
        Assert.Equal(0, server.HalfOpenCount);

        StreamTransfer.Result result = await StreamTransfer.RunAsync(outbound, inbound, 2, 256 << 10, ct);
        Assert.Equal(result.SentHashes, result.ReceivedHashes);
        Assert.Equal(512L << 10, result.ReceivedBytes.Sum());
    }

    [Fact]
    public async Task Receive_FloodOfHellosFromManySources_AnswersOnlyRetriesAboveThresholdAndStillAcceptsARealClient()
    {
        const int Sources = 250;
        const int PerSource = 40;
        const int ValidHellos = 100;
        const int RetryThreshold = 8;
        const int MaxHalfOpen = 32;
        const long MemoryBound = 4 << 20;
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server(TestPeers.Options() with
        {
            HandshakeGuard = HandshakeGuardOptions.Default with { RetryThreshold = RetryThreshold, MaxHalfOpen = MaxHalfOpen, HandshakeBurstPerSource = PerSource },
            HalfOpenTimeout = TimeSpan.FromSeconds(60),
        });
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(60));

        // "Valid but abandoned" HELLOs from throwaway identities first, then HELLOs that fail authentication.
        byte[][] hellos = new byte[Sources * PerSource][];
        using (var wrongSeed = new SharedSeed(Enumerable.Repeat((byte)0x55, 32).ToArray()))
        {
            for (int i = 0; i < hellos.Length; i++)
            {
                if (i < ValidHellos)
                {
                    using var throwaway = new NodeIdentity(Enumerable.Repeat((byte)(i + 1), 32).ToArray());
                    hellos[i] = Hello(throwaway, peers.Seed, HelloLength);
                }
                else
                {
                    hellos[i] = Hello(peers.ClientIdentity, wrongSeed, HelloLength);
                }
            }
        }

        Socket[] sources = OpenSources(Sources, 1);
        try
        {
            long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
            SocketAddress target = server.LocalEndPoint.Serialize();
            Task<UdpSession>? connect = null;
            UdpEndpoint? client = null;
            int maxSessions = 0;
            int maxHalfOpen = 0;
            for (int i = 0; i < hellos.Length; i++)
            {
                sources[i % Sources].SendTo(hellos[i], SocketFlags.None, target);
                if (i == hellos.Length / 2)
                {
                    // A real client arrives in the middle of the flood, from its own address.
                    client = peers.Client();
                    connect = client.ConnectAsync(server.LocalEndPoint, ct);
                }

                await PaceAsync(metrics, i + 1 - 64, ct);
                maxSessions = Math.Max(maxSessions, server.SessionCount);
                maxHalfOpen = Math.Max(maxHalfOpen, server.HalfOpenCount);
            }

            UdpSession outbound = await connect!.WaitAsync(ct);
            UdpSession inbound = await server.AcceptAsync(ct);
            Assert.Equal(outbound.SessionId, inbound.SessionId);

            await WaitForAsync(() => metrics.Get("stt.udp.handshakes", "role=responder", "result=retry-sent") >= hellos.Length - RetryThreshold + 1, ct);
            await Task.Delay(200, ct);
            long memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(hellos);

            int responses = 0;
            int retries = 0;
            foreach (Socket source in sources)
            {
                foreach (byte[] datagram in Drain(source))
                {
                    if (datagram.Length == ResponseLength && datagram[0] == 0x01)
                    {
                        responses++;
                    }
                    else if (datagram.Length == RetryFrames.RetryLength && datagram[0] == RetryFrames.RetryType)
                    {
                        retries++;
                    }
                    else
                    {
                        Assert.Fail($"Unexpected {datagram.Length}-byte datagram of type {datagram[0]:x2} to a flood source.");
                    }
                }
            }

            _output.WriteLine($"memory growth {memoryAfter - memoryBefore} bytes; max sessions {maxSessions}; max half-open {maxHalfOpen}");
            Assert.Equal(RetryThreshold, responses);
            Assert.Equal(hellos.Length - RetryThreshold, retries);
            Assert.Equal(hellos.Length - RetryThreshold + 1, metrics.Get("stt.udp.handshakes", "role=responder", "result=retry-sent"));
            Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=retry-received"));
            Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));
            Assert.Equal(0, metrics.Get("stt.udp.datagrams.dropped", "reason=rate-limited"));
            Assert.Equal(0, metrics.Get("stt.udp.datagrams.dropped", "reason=half-open-full"));
            Assert.Equal(0, metrics.Get("stt.udp.datagrams.dropped", "reason=auth-failed"));
            Assert.True(maxHalfOpen <= RetryThreshold + 1, $"{maxHalfOpen} half-open handshakes");
            Assert.True(maxSessions <= MaxHalfOpen, $"{maxSessions} sessions");
            Assert.Equal(RetryThreshold, server.HalfOpenCount);
            Assert.Equal(RetryThreshold + 1, server.SessionCount);
            Assert.True(memoryAfter - memoryBefore < MemoryBound, $"{memoryAfter - memoryBefore} bytes retained after the flood");
        }
        finally
        {
            foreach (Socket source in sources)
            {
                source.Dispose();
            }
        }
    }

    [Fact]
    public async Task Receive_UnvalidatedSources_NeverSentMoreThanThreeTimesWhatTheySent()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));
        SocketAddress target = server.LocalEndPoint.Serialize();
        Socket[] sources = OpenSources(4, 2);
        try
        {
            // The smallest HELLO the protocol allows, repeated: each copy is answered with the same RESPONSE.
            byte[] shortHello = Hello(peers.ClientIdentity, peers.Seed, 0);
            for (int i = 0; i < 5; i++)
            {
                sources[0].SendTo(shortHello, SocketFlags.None, target);
            }

            using var wrongSeed = new SharedSeed(Enumerable.Repeat((byte)0x55, 32).ToArray());
            byte[] wrongSeedHello = Hello(peers.ClientIdentity, wrongSeed, HelloLength);
            sources[1].SendTo(wrongSeedHello, SocketFlags.None, target);

            // A well-formed COOKIE_HELLO around a real HELLO, with a token the server never minted.
            byte[] forgedToken = new byte[RetryTokenIssuer.TokenLength];
            new Random(7).NextBytes(forgedToken);
            forgedToken[0] = 0x01;
            byte[] hello = Hello(peers.ClientIdentity, peers.Seed, HelloLength);
            byte[] forged = new byte[HelloLength + RetryFrames.CookieHelloOverhead];
            RetryFrames.WrapHello(hello, forgedToken, forged);
            sources[2].SendTo(forged, SocketFlags.None, target);

            // Random bytes behind a COOKIE_HELLO type byte.
            byte[] garbage = new byte[1200];
            new Random(8).NextBytes(garbage);
            garbage[0] = RetryFrames.CookieHelloType;
            sources[3].SendTo(garbage, SocketFlags.None, target);

            await WaitForAsync(() => metrics.Get("stt.udp.datagrams.received") >= 8, ct);
            await Task.Delay(200, ct);

            long[] received = [.. sources.Select(s => Drain(s).Sum(d => (long)d.Length))];
            long[] sent = [5L * shortHello.Length, wrongSeedHello.Length, forged.Length, garbage.Length];
            for (int i = 0; i < sources.Length; i++)
            {
                _output.WriteLine($"source {i}: sent {sent[i]} bytes, got {received[i]}");
                Assert.True(received[i] <= AmplificationBudget.Factor * sent[i], $"source {i} got {received[i]} bytes for {sent[i]}");
            }

            Assert.Equal(5 * ResponseLength, received[0]);
            Assert.Equal(0, received[1]);
            Assert.Equal(0, received[2]);
            Assert.Equal(0, received[3]);
            Assert.Equal(1, metrics.Get("stt.udp.datagrams.dropped", "reason=auth-failed"));
            Assert.Equal(1, metrics.Get("stt.udp.datagrams.dropped", "reason=bad-token"));
            Assert.Equal(1, metrics.Get("stt.udp.datagrams.dropped", "reason=malformed"));
            Assert.Equal(0, metrics.Get("stt.udp.datagrams.dropped", "reason=amplification-limit"));
            Assert.Equal(5, metrics.Get("stt.udp.datagrams.sent"));
            Assert.Equal(1, server.HalfOpenCount);
        }
        finally
        {
            foreach (Socket source in sources)
            {
                source.Dispose();
            }
        }
    }

    [Fact]
    public async Task Receive_BurstOfHellosFromOneSource_AnswersExactlyTheBurstAndDropsTheRestAsRateLimited()
    {
        const int Burst = 10;
        const int Sent = 100;
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server(TestPeers.Options() with
        {
            HandshakeGuard = HandshakeGuardOptions.Default with { RetryThreshold = 0, HandshakeBurstPerSource = Burst, HandshakesPerSecondPerSource = 1 },
        });
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));
        byte[][] hellos = [.. Enumerable.Range(0, Sent).Select(_ => Hello(peers.ClientIdentity, peers.Seed, HelloLength))];
        SocketAddress target = server.LocalEndPoint.Serialize();
        Socket[] sources = OpenSources(1, 3);
        try
        {
            for (int i = 0; i < Sent; i++)
            {
                sources[0].SendTo(hellos[i], SocketFlags.None, target);
                await PaceAsync(metrics, i + 1 - 32, ct);
            }

            await WaitForAsync(() => metrics.Get("stt.udp.datagrams.received") >= Sent, ct);
            await Task.Delay(200, ct);
            List<byte[]> answers = Drain(sources[0]);

            Assert.Equal(Burst, answers.Count);
            Assert.All(answers, a => Assert.Equal(RetryFrames.RetryLength, a.Length));
            Assert.All(answers, a => Assert.Equal(RetryFrames.RetryType, a[0]));
            Assert.Equal(Burst, metrics.Get("stt.udp.handshakes", "role=responder", "result=retry-sent"));
            Assert.Equal(Sent - Burst, metrics.Get("stt.udp.datagrams.dropped", "reason=rate-limited"));
            Assert.Equal(Sent - Burst, metrics.Get("stt.udp.datagrams.dropped"));
            Assert.Equal(0, server.SessionCount);
        }
        finally
        {
            sources[0].Dispose();
        }
    }

    private static byte[] Hello(NodeIdentity identity, SharedSeed seed, int paddedLength)
    {
        using Session initiator = Session.Connect(identity, seed, SessionOptions.Default with { HelloPaddedLength = paddedLength });
        byte[] buffer = new byte[Math.Max(paddedLength, 512)];
        int length = initiator.WriteNextFrame(buffer);
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>UDP sockets bound to 127.0.<paramref name="subnet"/>.1 and up: one distinct source address each.</summary>
    private static Socket[] OpenSources(int count, int subnet)
    {
        var sockets = new Socket[count];
        for (int i = 0; i < count; i++)
        {
            sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sockets[i].Bind(new IPEndPoint(new IPAddress([127, 0, (byte)subnet, (byte)(i + 1)]), 0));
        }

        return sockets;
    }

    private static List<byte[]> Drain(Socket socket)
    {
        var datagrams = new List<byte[]>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(65_536);
        try
        {
            while (socket.Available > 0)
            {
                int length = socket.Receive(buffer);
                datagrams.Add(buffer.AsSpan(0, length).ToArray());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return datagrams;
    }

    /// <summary>Keeps the server's receive loop within <c>sent - target</c> datagrams of the sender, so no socket buffer overflows.</summary>
    private static async Task PaceAsync(MetricsCapture metrics, long target, CancellationToken cancellationToken)
    {
        while (metrics.Get("stt.udp.datagrams.received") < target)
        {
            await Task.Delay(1, cancellationToken);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}

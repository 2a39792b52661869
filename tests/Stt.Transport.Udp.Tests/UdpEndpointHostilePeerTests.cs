using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Security;
using Xunit;

namespace Stt.Transport.Udp.Tests;

public class UdpEndpointHostilePeerTests
{
    [Fact]
    public async Task Receive_WrongSeedHelloAndGarbage_SendsNothingCountsEveryDropAndStillAcceptsARealClient()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(42);

        using var wrongSeed = new SharedSeed(Enumerable.Repeat((byte)0x55, 32).ToArray());
        using (Session attacker = Session.Connect(peers.ClientIdentity, wrongSeed, SessionOptions.Default with { HelloPaddedLength = 1200 }))
        {
            byte[] hello = new byte[1200];
            int length = attacker.WriteNextFrame(hello);
            raw.SendTo(hello.AsSpan(0, length), server.LocalEndPoint);
        }

        for (int i = 0; i < 5; i++)
        {
            byte[] data = new byte[1200];
            random.NextBytes(data);
            data[0] = 0x02;
            raw.SendTo(data, server.LocalEndPoint);
        }

        for (int i = 0; i < 2; i++)
        {
            byte[] response = new byte[135];
            random.NextBytes(response);
            response[0] = 0x01;
            response[1] = 0x04;
            raw.SendTo(response, server.LocalEndPoint);
        }

        for (int i = 0; i < 3; i++)
        {
            raw.SendTo(new byte[10], server.LocalEndPoint);
        }

        raw.SendTo(new byte[1201], server.LocalEndPoint);

        while (metrics.Get("stt.udp.datagrams.received") < 12)
        {
            await Task.Delay(10, ct);
        }

        await Task.Delay(200, ct);
        Assert.Equal(0, metrics.Get("stt.udp.datagrams.sent"));
        Assert.Equal(0, raw.Available);
        Assert.Equal(12, metrics.Get("stt.udp.datagrams.received"));
        Assert.Equal(1, metrics.Get("stt.udp.datagrams.dropped", "reason=auth-failed"));
        Assert.Equal(7, metrics.Get("stt.udp.datagrams.dropped", "reason=unknown-session"));
        Assert.Equal(3, metrics.Get("stt.udp.datagrams.dropped", "reason=malformed"));
        Assert.Equal(1, metrics.Get("stt.udp.datagrams.dropped", "reason=oversize"));
        Assert.Equal(12, metrics.Get("stt.udp.datagrams.dropped"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=auth-failed"));
        Assert.Equal(0, server.SessionCount);

        UdpEndpoint client = peers.Client();
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        Assert.Equal(outbound.SessionId, inbound.SessionId);
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));
    }

    [Fact]
    public async Task Receive_HalfOpenCapReached_DropsFurtherHellosBeforeAnyWork()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server(TestPeers.Options() with { HandshakeGuard = HandshakeGuardOptions.Default with { MaxHalfOpen = 2, RetryThreshold = 2 } });
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        for (int i = 0; i < 4; i++)
        {
            using Session initiator = Session.Connect(peers.ClientIdentity, peers.Seed, SessionOptions.Default with { HelloPaddedLength = 1200 });
            byte[] hello = new byte[1200];
            int length = initiator.WriteNextFrame(hello);
            raw.SendTo(hello.AsSpan(0, length), server.LocalEndPoint);
        }

        while (metrics.Get("stt.udp.datagrams.received") < 4)
        {
            await Task.Delay(10, ct);
        }

        await Task.Delay(100, ct);
        Assert.Equal(2, server.SessionCount);
        Assert.Equal(2, metrics.Get("stt.udp.datagrams.dropped", "reason=half-open-full"));
        Assert.Equal(2, metrics.Get("stt.udp.datagrams.sent"));
    }

    [Fact]
    public async Task Receive_FloodOfFramesForUnknownSessions_DropsEachWithoutAllocating()
    {
        // A listener that only adds, so the measurement does not count the test's own bookkeeping.
        long dropped = 0;
        long sent = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Stt.Transport.Udp" && instrument.Name is "stt.udp.datagrams.dropped" or "stt.udp.datagrams.sent")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "stt.udp.datagrams.sent")
            {
                Interlocked.Add(ref sent, value);
            }
            else
            {
                Interlocked.Add(ref dropped, value);
            }
        });
        listener.Start();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(15));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        SocketAddress target = server.LocalEndPoint.Serialize();
        byte[] frame = new byte[1200];
        new Random(5).NextBytes(frame);
        frame[0] = 0x02;

        // Warm up the receive path, then count what a steady flood allocates in the whole process.
        Flood(raw, frame, target, 0, 1000, ref dropped);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Flood(raw, frame, target, 1000, 20_000, ref dropped);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await Task.Delay(50, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"{allocated} bytes allocated in the process for 20,000 datagrams");

        Assert.Equal(21_000, Interlocked.Read(ref dropped));
        Assert.Equal(0, Interlocked.Read(ref sent));
        // The count is process-wide, so timers and the test host add a little; one allocation per datagram, even the
        // smallest object (24 bytes), would be 480,000 bytes.
        Assert.True(allocated < 65_536, $"{allocated} bytes allocated for 20,000 datagrams");
    }

    private static void Flood(Socket raw, byte[] frame, SocketAddress target, long start, int count, ref long dropped)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            // A distinct ID each time, so no lookup can hit by chance; paced so the socket buffer never overflows.
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(2), (start + i) * 7919L + 1);
            raw.SendTo(frame, SocketFlags.None, target);
            while (Volatile.Read(ref dropped) < start + i - 256 && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.SpinWait(20);
            }
        }

        while (Volatile.Read(ref dropped) < start + count && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(1);
        }
    }
}

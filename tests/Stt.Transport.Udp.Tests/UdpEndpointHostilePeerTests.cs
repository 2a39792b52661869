using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
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
        UdpEndpoint server = peers.Server(TestPeers.Options() with { MaxHalfOpenSessions = 2 });
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
}

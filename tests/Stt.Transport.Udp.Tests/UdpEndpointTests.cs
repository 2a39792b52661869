using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Stt.Protocol;
using Stt.Protocol.Sessions;
using Xunit;

namespace Stt.Transport.Udp.Tests;

public class UdpEndpointTests
{
    private readonly ITestOutputHelper _output = TestContext.Current.TestOutputHelper!;

    [Fact]
    public async Task ConnectAsync_Loopback_BothSidesActiveWithProvenIdentities()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));

        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        Assert.Equal(SessionState.Active, outbound.State);
        Assert.Equal(SessionState.Active, inbound.State);
        Assert.Equal(outbound.SessionId, inbound.SessionId);
        Assert.Equal(peers.ServerIdentity.NodeId, outbound.PeerNodeId);
        Assert.Equal(peers.ClientIdentity.NodeId, inbound.PeerNodeId);
        Assert.Equal(client.LocalEndPoint, inbound.RemoteEndPoint);
        Assert.Equal(server.LocalEndPoint, outbound.RemoteEndPoint);
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=completed"));
        Assert.Equal(2, metrics.Get("stt.udp.sessions.active"));

        int stream = outbound.OpenStream();
        await outbound.WriteMessageAsync(stream, "hello"u8.ToArray(), ct);
        outbound.Finish(stream);
        Assert.Equal(stream, await inbound.AcceptStreamAsync(ct));
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Equal(5, await inbound.ReadMessageAsync(stream, buffer, ct));
        Assert.Equal("hello"u8.ToArray(), buffer.WrittenSpan.ToArray());
        buffer.ResetWrittenCount();
        Assert.Equal(UdpSession.EndOfStream, await inbound.ReadMessageAsync(stream, buffer, ct));
    }

    [Fact]
    public async Task Streams_FourConcurrentStreamsOverLoopback_ByteExact()
    {
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(60));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        StreamTransfer.Result result = await StreamTransfer.RunAsync(outbound, inbound, 4, 25L << 20, ct);

        _output.WriteLine($"{result.Bytes / 1e6:F1} MB in {result.Elapsed.TotalSeconds:F2} s = {result.Bytes / 1e6 / result.Elapsed.TotalSeconds:F1} MB/s; client {outbound.Statistics}; server {inbound.Statistics}");
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(25L << 20, result.ReceivedBytes[i]);
            Assert.Equal(result.SentHashes[i], result.ReceivedHashes[i]);
        }
    }

    [Fact]
    public async Task ConnectAsync_NobodyAnswers_FailsWithHandshakeTimeoutAndFreesTheSession()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        var handshake = SessionOptions.Default.Handshake with { HandshakeTimeout = TimeSpan.FromSeconds(1) };
        UdpEndpoint client = peers.Client(TestPeers.Options(session: SessionOptions.Default with { Handshake = handshake, HandshakeRetransmitInterval = TimeSpan.FromMilliseconds(200) }));
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<SessionClosedException>(() => client.ConnectAsync(silent.LocalEndPoint!, ct));

        Assert.Equal(ProtocolErrorCode.HandshakeTimeout, error.CloseCode);
        Assert.Equal(0, client.SessionCount);
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=timeout"));
        Assert.Equal(0, metrics.Get("stt.udp.sessions.active"));
        // HELLO at 0, 200, 600 ms (the interval doubles), then the 1 s timeout.
        Assert.Equal(3, metrics.Get("stt.udp.datagrams.sent"));
    }

    [Fact]
    public async Task ConnectAsync_Cancelled_ThrowsAndFreesTheSession()
    {
        await using var peers = new TestPeers();
        UdpEndpoint client = peers.Client();
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync(silent.LocalEndPoint!, cts.Token));

        Assert.Equal(0, client.SessionCount);
    }

    [Fact]
    public async Task ConnectAsync_ThirtyPercentLossBothWays_CompletesWithOneHandshakePerSession()
    {
        using var metrics = new MetricsCapture();
        var session = SessionOptions.Default with
        {
            HandshakeRetransmitInterval = TimeSpan.FromMilliseconds(100),
            Handshake = SessionOptions.Default.Handshake with { HandshakeTimeout = TimeSpan.FromSeconds(30) },
        };
        const int Attempts = 5;
        for (int seed = 1; seed <= Attempts; seed++)
        {
            await using var peers = new TestPeers();
            UdpEndpoint server = peers.Server(TestPeers.Options(session: session) with { Impairment = new() { Seed = seed, Loss = 0.3 }, HalfOpenTimeout = TimeSpan.FromSeconds(30) });
            UdpEndpoint client = peers.Client(TestPeers.Options(session: session) with { Impairment = new() { Seed = seed + 100, Loss = 0.3 } });
            CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(15));

            Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
            UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
            UdpSession inbound = await accept;

            Assert.Equal(outbound.SessionId, inbound.SessionId);
        }

        Assert.Equal(Attempts, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));
        Assert.Equal(Attempts, metrics.Get("stt.udp.handshakes", "role=initiator", "result=completed"));
        Assert.True(metrics.Get("stt.udp.datagrams.dropped", "reason=impairment") > 0);
    }

    [Fact]
    public async Task CloseAsync_Graceful_PeerSeesNoErrorAndBothEndpointsFreeTheSession()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        await outbound.CloseAsync(cancellationToken: ct);
        await inbound.Completion.WaitAsync(ct);

        Assert.Equal(SessionState.Closed, outbound.State);
        Assert.Equal(SessionState.Closed, inbound.State);
        Assert.Equal(ProtocolErrorCode.NoError, inbound.CloseCode);
        Assert.Equal(0, client.SessionCount);
        Assert.Equal(0, server.SessionCount);
        Assert.Equal(0, metrics.Get("stt.udp.sessions.active"));
        var error = await Assert.ThrowsAsync<SessionClosedException>(async () => await inbound.ReadMessageAsync(1, new ArrayBufferWriter<byte>(), ct));
        Assert.True(error.ClosedByPeer);
    }

    [Fact]
    public async Task DisposeAsync_ServerWithThreeSessions_ClosesEachWithShuttingDownAndFreesAll()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));
        var sessions = new List<UdpSession>();
        for (int i = 0; i < 3; i++)
        {
            sessions.Add(await client.ConnectAsync(server.LocalEndPoint, ct));
            await server.AcceptAsync(ct);
        }

        Assert.Equal(6, metrics.Get("stt.udp.sessions.active"));
        await server.DisposeAsync();
        foreach (UdpSession session in sessions)
        {
            await session.Completion.WaitAsync(ct);
            Assert.Equal(ProtocolErrorCode.ShuttingDown, session.CloseCode);
        }

        Assert.Equal(0, server.SessionCount);
        Assert.Equal(0, client.SessionCount);
        Assert.Equal(0, metrics.Get("stt.udp.sessions.active"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await server.AcceptAsync(ct));
    }

    [Fact]
    public async Task AcceptAsync_BacklogFull_ClosesTheExtraSessionRightAway()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server(TestPeers.Options() with { AcceptBacklog = 1 });
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));

        UdpSession first = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession second = await client.ConnectAsync(server.LocalEndPoint, ct);
        await second.Completion.WaitAsync(ct);

        Assert.Equal(ProtocolErrorCode.InternalError, second.CloseCode);
        Assert.Equal(SessionState.Active, first.State);
        UdpSession accepted = await server.AcceptAsync(ct);
        Assert.Equal(first.SessionId, accepted.SessionId);
        Assert.Equal(1, client.SessionCount);
    }
}

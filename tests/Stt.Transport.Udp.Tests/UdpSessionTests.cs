using System.Buffers;
using Xunit;

namespace Stt.Transport.Udp.Tests;

public class UdpSessionTests
{
    [Fact]
    public async Task Receive_PeerAddressChangesMidSession_SessionFollowsAfterAnAuthenticatedFrame()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        await using var nat = new UdpRelay(server.LocalEndPoint);
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(15));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(nat.FrontEndPoint, ct);
        UdpSession inbound = await accept;
        var buffer = new ArrayBufferWriter<byte>();

        int stream = outbound.OpenStream();
        await outbound.WriteMessageAsync(stream, "before"u8.ToArray(), ct);
        Assert.Equal(stream, await inbound.AcceptStreamAsync(ct));
        Assert.Equal(6, await inbound.ReadMessageAsync(stream, buffer, ct));
        Assert.Equal(nat.UpstreamEndPoint, inbound.RemoteEndPoint);
        Assert.Equal(0, metrics.Get("stt.udp.migrations"));

        nat.Rebind();
        buffer.ResetWrittenCount();
        await outbound.WriteMessageAsync(stream, "after"u8.ToArray(), ct);
        Assert.Equal(5, await inbound.ReadMessageAsync(stream, buffer, ct));
        Assert.Equal("after"u8.ToArray(), buffer.WrittenSpan.ToArray());
        Assert.Equal(nat.UpstreamEndPoint, inbound.RemoteEndPoint);
        Assert.Equal(1, metrics.Get("stt.udp.migrations"));

        buffer.ResetWrittenCount();
        await inbound.WriteMessageAsync(stream, "reply"u8.ToArray(), ct);
        Assert.Equal(5, await outbound.ReadMessageAsync(stream, buffer, ct));
        Assert.Equal("reply"u8.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task WriteMessageAsync_MessageLargerThanTheSendBuffer_ArrivesWhole()
    {
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(60));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;
        byte[] message = new byte[3 << 20];
        new Random(7).NextBytes(message);

        int stream = outbound.OpenStream();
        Task write = outbound.WriteMessageAsync(stream, message, ct).AsTask();
        Assert.Equal(stream, await inbound.AcceptStreamAsync(ct));
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Equal(message.Length, await inbound.ReadMessageAsync(stream, buffer, ct));
        await write;

        Assert.True(message.AsSpan().SequenceEqual(buffer.WrittenSpan));
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol;
using Stt.Protocol.Sessions;
using Xunit;

namespace Stt.Transport.Udp.Tests;

/// <summary>The endpoint's one timer loop runs on the injected clock: virtual time alone drives retransmission and timeout.</summary>
public class TimerQueueVirtualClockTests
{
    [Fact]
    public async Task ConnectAsync_VirtualClock_RetransmitsAndTimesOutOnlyWhenTheClockAdvances()
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var client = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), peers.ClientIdentity, peers.Seed, TestPeers.Options(), time);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(10));

        Task<UdpSession> connect = client.ConnectAsync(silent.LocalEndPoint!, ct);
        await WaitForSentAsync(metrics, 1, ct);
        await Task.Delay(200, ct);
        Assert.Equal(1, metrics.Get("stt.udp.datagrams.sent"));

        time.Advance(SessionOptions.Default.HandshakeRetransmitInterval);
        await WaitForSentAsync(metrics, 2, ct);
        Assert.False(connect.IsCompleted);

        time.Advance(SessionOptions.Default.Handshake.HandshakeTimeout);
        var error = await Assert.ThrowsAsync<SessionClosedException>(() => connect);
        Assert.Equal(ProtocolErrorCode.HandshakeTimeout, error.CloseCode);
        Assert.Equal(0, client.SessionCount);
    }

    private static async Task WaitForSentAsync(MetricsCapture metrics, long count, CancellationToken ct)
    {
        while (metrics.Get("stt.udp.datagrams.sent") < count)
        {
            await Task.Delay(5, ct);
        }
    }
}

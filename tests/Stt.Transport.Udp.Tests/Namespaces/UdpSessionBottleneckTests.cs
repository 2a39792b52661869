using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Sessions;
using Xunit;

namespace Stt.Transport.Udp.Tests.Namespaces;

/// <summary>
/// A session from one network namespace to another across a veth pair shaped by tbf at 20 Mbit/s: the congestion
/// controller meets a real bottleneck queue that drops when full, instead of the loopback's effectively unlimited path.
/// </summary>
public class UdpSessionBottleneckTests
{
    private const int Streams = 2;
    private const long BytesPerStream = 6L << 20;

    private readonly ITestOutputHelper _output = TestContext.Current.TestOutputHelper!;

    [Fact]
    public async Task BulkTransfer_TbfBottleneck_FillsTheLinkWithBoundedQueueingAndOneHandshake()
    {
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(60));
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        await using BottleneckLink link = await BottleneckLink.CreateAsync(_output, ct);

        await WarmUpRuntimeThreadsAsync(ct);
        await AssertAddressOnlyInsideAsync(link);

        UdpTransportOptions options = TestPeers.Options();
        await using UdpEndpoint server = await link.B.RunInsideAsync(
            () => new UdpEndpoint(new IPEndPoint(BottleneckLink.AddressB, 0), peers.ServerIdentity, peers.Seed, options));
        await using UdpEndpoint client = await link.A.RunInsideAsync(
            () => new UdpEndpoint(new IPEndPoint(BottleneckLink.AddressA, 0), peers.ClientIdentity, peers.Seed, options));
        Assert.Empty(NetworkNamespace.StrayThreads());
        TimeSpan baseRtt = await link.MeasureBaseRttAsync(20, ct);

        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;
        TimeSpan handshakeRtt = outbound.Statistics.SmoothedRtt;

        var timeline = new List<(TimeSpan At, long Bytes)>();
        var clock = Stopwatch.StartNew();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<List<SessionStatistics>> samples = SampleAsync(outbound, sampling.Token);
        StreamTransfer.Result result = await StreamTransfer.RunAsync(outbound, inbound, Streams, BytesPerStream, ct, received =>
        {
            lock (timeline)
            {
                timeline.Add((clock.Elapsed, received));
            }
        });
        SessionStatistics end = outbound.Statistics;
        await sampling.CancelAsync();
        List<SessionStatistics> during = await samples;
        string qdisc = await link.QdiscStatisticsAsync(ct);

        double rate = BottleneckLink.RateBitsPerSecond;
        double goodput = result.Bytes * 8 / result.Elapsed.TotalSeconds;
        double lastThird = LastThirdGoodput(timeline);
        TimeSpan maxRtt = during.Count == 0 ? end.SmoothedRtt : during.Max(s => s.SmoothedRtt);
        _output.WriteLine($"{result.Bytes / 1e6:F1} MB on {Streams} streams in {result.Elapsed.TotalSeconds:F2} s");
        _output.WriteLine($"goodput {goodput / 1e6:F2} Mbit/s ({goodput / rate:P0} of {rate / 1e6:F0} Mbit/s); last third {lastThird / 1e6:F2} Mbit/s ({lastThird / rate:P0})");
        _output.WriteLine($"base RTT (UDP echo) {baseRtt.TotalMilliseconds:F3} ms; smoothed RTT: after handshake {handshakeRtt.TotalMilliseconds:F2} ms, end {end.SmoothedRtt.TotalMilliseconds:F2} ms, max sampled {maxRtt.TotalMilliseconds:F2} ms");
        _output.WriteLine($"frames sent {end.FramesSent}, retransmitted {end.FramesRetransmitted} ({(double)end.FramesRetransmitted / Math.Max(1, end.FramesSent):P2}); cwnd at end {end.CongestionWindow} B");
        _output.WriteLine("cwnd / srtt samples every 250 ms: " + string.Join(", ", during.Select(s => $"{s.CongestionWindow / 1024}K/{s.SmoothedRtt.TotalMilliseconds:F0}ms")));
        _output.WriteLine(qdisc);
        _output.WriteLine(metrics.Dump());

        for (int i = 0; i < Streams; i++)
        {
            Assert.Equal(BytesPerStream, result.ReceivedBytes[i]);
            Assert.Equal(result.SentHashes[i], result.ReceivedHashes[i]);
        }

        Assert.True(goodput >= 0.6 * rate, $"Goodput {goodput / 1e6:F2} Mbit/s is below 60% of the {rate / 1e6:F0} Mbit/s bottleneck.");
        Assert.True(goodput <= 1.05 * rate, $"Goodput {goodput / 1e6:F2} Mbit/s exceeds the {rate / 1e6:F0} Mbit/s bottleneck by more than 5%: the tbf is not on the path.");
        Assert.True(lastThird >= 0.5 * rate, $"Goodput over the last third of the transfer, {lastThird / 1e6:F2} Mbit/s, is below half the rate: throughput collapsed.");
        TimeSpan rttBound = BottleneckLink.MaxQueueingDelay + baseRtt;
        Assert.True(
            end.SmoothedRtt < rttBound,
            $"Smoothed RTT at the end, {end.SmoothedRtt.TotalMilliseconds:F2} ms, is not below the tbf queue's longest delay plus the base RTT ({rttBound.TotalMilliseconds:F2} ms).");
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=completed"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));

        await outbound.CloseAsync(cancellationToken: ct);
        Assert.Empty(NetworkNamespace.StrayThreads());
    }

    /// <summary>
    /// Starts the runtime's socket event threads, timer thread and a few pool workers from this (host namespace) thread,
    /// so none of them is first created by a thread that has joined a test namespace and would inherit it.
    /// </summary>
    private static async Task WarmUpRuntimeThreadsAsync(CancellationToken cancellationToken)
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] buffer = new byte[1];
        ValueTask<int> received = receiver.ReceiveAsync(buffer, cancellationToken);
        await sender.SendToAsync(new byte[] { 1 }, receiver.LocalEndPoint!, cancellationToken);
        await received;
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(() => Task.Delay(1, cancellationToken), cancellationToken)));
    }

    /// <summary>The test's addresses exist inside their namespace and nowhere else, in particular not on the host.</summary>
    private static async Task AssertAddressOnlyInsideAsync(BottleneckLink link)
    {
        SocketError host = TryBind(BottleneckLink.AddressA);
        Assert.True(host == SocketError.AddressNotAvailable, $"Binding {BottleneckLink.AddressA} outside the namespaces gave {host}, expected AddressNotAvailable: the address leaks to the host.");
        SocketError inB = await link.B.RunInsideAsync(() => TryBind(BottleneckLink.AddressA));
        Assert.Equal(SocketError.AddressNotAvailable, inB);
        SocketError inA = await link.A.RunInsideAsync(() => TryBind(BottleneckLink.AddressA));
        Assert.True(inA == SocketError.Success, $"Binding {BottleneckLink.AddressA} inside {link.A.Name} gave {inA}: setns did not move the thread into the namespace.");
    }

    private static SocketError TryBind(IPAddress address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, 0));
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    private static async Task<List<SessionStatistics>> SampleAsync(UdpSession session, CancellationToken cancellationToken)
    {
        var samples = new List<SessionStatistics>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                samples.Add(session.Statistics);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return samples;
    }

    /// <summary>Bits per second delivered during the last third of the time between the first and the last delivery.</summary>
    private static double LastThirdGoodput(List<(TimeSpan At, long Bytes)> timeline)
    {
        var ordered = timeline.OrderBy(p => p.Bytes).ToList();
        TimeSpan last = ordered[^1].At;
        TimeSpan from = last - ((last - ordered[0].At) / 3);
        long before = ordered.LastOrDefault(p => p.At <= from).Bytes;
        return (ordered[^1].Bytes - before) * 8 / (last - from).TotalSeconds;
    }
}

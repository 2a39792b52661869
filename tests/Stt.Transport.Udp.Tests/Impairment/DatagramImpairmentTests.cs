using Xunit;

namespace Stt.Transport.Udp.Tests.Impairment;

public class DatagramImpairmentTests
{
    private const long StreamBytes = 5L << 20;

    private readonly ITestOutputHelper _output = TestContext.Current.TestOutputHelper!;

    [Fact]
    public async Task Streams_LossBurstsReorderDuplicationCorruptionAndBlackhole_ByteExactWithOneHandshake()
    {
        var impairment = new Udp.Impairment.DatagramImpairment
        {
            Loss = 0.05,
            BurstLoss = 0.002,
            BurstLength = 10,
            Reorder = 0.05,
            ReorderDelay = TimeSpan.FromMilliseconds(5),
            Duplicate = 0.02,
            Corrupt = 0.01,
        };

        await RunAsync(impairment, blackhole: TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Streams_TwentyPercentLoss_ByteExactWithOneHandshake()
    {
        await RunAsync(new Udp.Impairment.DatagramImpairment { Loss = 0.2 }, blackhole: null);
    }

    private async Task RunAsync(Udp.Impairment.DatagramImpairment impairment, TimeSpan? blackhole)
    {
        using var metrics = new MetricsCapture();
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server(TestPeers.Options() with { Impairment = impairment with { Seed = 11 } });
        UdpEndpoint client = peers.Client(TestPeers.Options() with { Impairment = impairment with { Seed = 12 } });
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(45));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        Task? outage = null;
        StreamTransfer.Result result = await StreamTransfer.RunAsync(outbound, inbound, 4, StreamBytes, ct, received =>
        {
            if (blackhole is { } duration && received >= 2 * StreamBytes && outage is null)
            {
                outage = Task.Run(async () =>
                {
                    server.Impairment!.Blackhole = true;
                    client.Impairment!.Blackhole = true;
                    await Task.Delay(duration, ct);
                    server.Impairment.Blackhole = false;
                    client.Impairment.Blackhole = false;
                }, ct);
            }
        });
        if (outage is not null)
        {
            await outage;
        }

        _output.WriteLine($"{result.Bytes / 1e6:F1} MB in {result.Elapsed.TotalSeconds:F2} s; client {outbound.Statistics}; server {inbound.Statistics}");
        _output.WriteLine(metrics.Dump());
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(StreamBytes, result.ReceivedBytes[i]);
            Assert.Equal(result.SentHashes[i], result.ReceivedHashes[i]);
        }

        Assert.Equal(blackhole is not null, outage is not null);
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=responder", "result=completed"));
        Assert.Equal(1, metrics.Get("stt.udp.handshakes", "role=initiator", "result=completed"));
        Assert.True(metrics.Get("stt.udp.datagrams.dropped", "reason=impairment") > 0);
        if (impairment.Corrupt > 0)
        {
            Assert.True(metrics.Get("stt.udp.datagrams.dropped", "reason=auth-failed") > 0);
        }
    }
}

using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Transport.Udp;
using Stt.Transport.Udp.Impairment;
using Xunit;

namespace Stt.Server.Tests.Operations;

/// <summary>The built node in its own process, reached over real UDP from this one (the UDP transport's "two processes" criterion).</summary>
[Collection("node-heavy")]
public sealed class NodeProcessTests
{
    private static SttClientOptions ImpairedUdp(SttClientOptions seedOnly, int seed) => new()
    {
        SharedSeed = seedOnly.SharedSeed,
        Udp = new UdpTransportOptions
        {
            Impairment = new DatagramImpairment
            {
                Seed = seed,
                Loss = 0.05,
                Reorder = 0.05,
                ReorderDelay = TimeSpan.FromMilliseconds(3),
                Duplicate = 0.03,
            },
        },
    };

    [Fact]
    public async Task First_start_creates_private_seed_files_and_reports_addresses_and_health()
    {
        await using NodeProcess node = await NodeProcess.StartAsync();
        Assert.Equal(Path.Combine(node.DataDirectory, "shared.seed"), node.SharedSeedPath);
        Assert.True(File.Exists(node.SharedSeedPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(node.SharedSeedPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.DataDirectory, "node.seed")));
        }

        Assert.True(Convert.FromHexString(File.ReadAllText(node.SharedSeedPath).Trim()).Length >= 32);
        Assert.Equal("127.0.0.1", node.UdpEndPoint.Address.ToString());
        Assert.NotEqual(0, node.UdpEndPoint.Port);

        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct)).StatusCode);
    }

    [Fact]
    public async Task Impaired_udp_from_another_process_uploads_fetches_and_fans_out_in_order()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NodeProcess node = await NodeProcess.StartAsync();
        try
        {
            await TransferAsync(node, ct);
        }
        catch (Exception e) when (e is not Xunit.Sdk.IAssertionException)
        {
            Assert.Fail($"{e}\n--- node output:\n{node.Output}");
        }
    }

    private static async Task TransferAsync(NodeProcess node, CancellationToken ct)
    {
        SttClientOptions fromFile = SttClientOptions.FromSharedSeedFile(node.SharedSeedPath);
        using Stt.Protocol.Identity.SharedSeed seed = fromFile.SharedSeed;

        // 5 MB up and back through 5% loss, reordering and duplication on the client's side.
        byte[] content = RandomNumberGenerator.GetBytes(5_000_000);
        await using (SttClient client = await SttClient.ConnectAsync(node.UdpUri, ImpairedUdp(fromFile, 11), ct).WaitAsync(TimeSpan.FromSeconds(30), ct))
        {
            Assert.Equal("udp", client.TransportName);
            ContentId id = await client.UploadAsync(new MemoryStream(content), content.Length, "five.bin", 256 * 1024, ct).WaitAsync(TimeSpan.FromSeconds(180), ct);
            var fetched = new MemoryStream();
            ContentManifest manifest = await client.FetchAsync(id, fetched, null, ct).WaitAsync(TimeSpan.FromSeconds(180), ct);
            Assert.Equal(content.Length, manifest.TotalLength);
            Assert.Equal(content.Length, fetched.Length);
            Assert.True(content.AsSpan().SequenceEqual(fetched.GetBuffer().AsSpan(0, (int)fetched.Length)), "fetched content differs");
        }

        // 500 messages from a publisher to a subscriber, both impaired, through the node process, in order.
        await using SttClient subscriber = await SttClient.ConnectAsync(node.UdpUri, ImpairedUdp(fromFile, 12), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        await using SttClient publisher = await SttClient.ConnectAsync(node.UdpUri, ImpairedUdp(fromFile, 13), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        const int count = 500;
        var received = new List<(ulong Sequence, ulong Skipped, string Text)>();
        Task reader = Task.Run(async () =>
        {
            await foreach (ChannelMessage message in subscriber.SubscribeAsync("ops/proc", replay: true, ct))
            {
                received.Add((message.Sequence, message.Skipped, System.Text.Encoding.UTF8.GetString(message.Payload.Span)));
                if (received.Count == count)
                {
                    break;
                }
            }
        }, ct);

        // The SUBSCRIBE crosses an impaired link: publish only once the node process lists the subscriber, or the
        // first messages could pass before it joins and fall out of the replay buffer.
        using (var admin = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) })
        {
            var joined = System.Diagnostics.Stopwatch.StartNew();
            while (!(await admin.GetStringAsync(new Uri("/admin/channels", UriKind.Relative), ct)).Contains("\"subscriberCount\":1", StringComparison.Ordinal))
            {
                Assert.True(joined.Elapsed < TimeSpan.FromSeconds(30), "the subscriber never joined the channel on the node");
                await Task.Delay(50, ct);
            }
        }

        await using (ChannelPublisher channel = await publisher.PublishAsync("ops/proc", ct))
        {
            for (int i = 0; i < count; i++)
            {
                await channel.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"message {i}"), ct);
            }

            await reader.WaitAsync(TimeSpan.FromSeconds(120), ct);
            await channel.CompleteAsync(ct);
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"message {i}"), received.Select(r => r.Text));
        Assert.DoesNotContain(received, r => r.Skipped != 0);
        Assert.Equal(received.Select(r => r.Sequence).Order(), received.Select(r => r.Sequence));

        // Exactly one handshake per client: the node process completed three, never sent a retry and never timed one out.
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        Assert.True(MetricsText.Sum(metrics, "stt_udp_handshakes_total", ("role", "responder"), ("result", "completed")) == 3, metrics);
        Assert.True(MetricsText.Sum(metrics, "stt_udp_handshakes_total", ("role", "responder")) == 3, metrics);
        Assert.True(MetricsText.Sum(metrics, "stt_sessions_opened_total", ("transport", "udp")) == 3, metrics);
    }
}

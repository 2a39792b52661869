using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Server.Tests.Node;

public sealed class NodeSmokeTests
{
    public static TheoryData<string> Transports => new() { "udp", "websocket" };

    private static Uri NodeUri(TestNode node, string transport) => transport == "udp"
        ? new Uri($"stt+udp://127.0.0.1:{node.UdpEndPoint.Port}")
        : node.WebSocketUri;

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Publish_subscribe_upload_and_fetch_over_one_transport(string transport)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        await using SttClient subscriber = await SttClient.ConnectAsync(NodeUri(node, transport), node.SharedSeedBytes, ct);
        await using SttClient publisher = await SttClient.ConnectAsync(NodeUri(node, transport), node.SharedSeedBytes, ct);
        Assert.Equal(transport, subscriber.TransportName);

        var received = new List<(ulong Sequence, string Text)>();
        var subscribed = new TaskCompletionSource();
        Task reader = Task.Run(async () =>
        {
            await foreach (ChannelMessage message in subscriber.SubscribeAsync("news/live", replay: true, ct))
            {
                received.Add((message.Sequence, System.Text.Encoding.UTF8.GetString(message.Payload.Span)));
                if (received.Count == 10)
                {
                    break;
                }
            }
        }, ct);

        await using (ChannelPublisher channel = await publisher.PublishAsync("news/live", ct))
        {
            for (int i = 0; i < 10; i++)
            {
                await channel.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"m{i}"), ct);
            }

            await reader.WaitAsync(TimeSpan.FromSeconds(20), ct);
            await channel.CompleteAsync(ct);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"), received.Select(r => r.Text));

        byte[] content = RandomNumberGenerator.GetBytes(1_000_000);
        ContentId id = await publisher.UploadAsync(new MemoryStream(content), content.Length, "blob.bin", 64 * 1024, ct);
        var fetched = new MemoryStream();
        ContentManifest manifest = await subscriber.FetchAsync(id, fetched, null, ct);
        Assert.Equal(content.Length, manifest.TotalLength);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(fetched.ToArray()));

        IReadOnlyList<ContentListingEntry> list = await subscriber.ListContentAsync(ct);
        Assert.Contains(list, e => e.Id == id && e.Name == "blob.bin");
    }
}

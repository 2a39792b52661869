using System.Text;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Client.Tests;

public sealed class ClientChannelTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_then_subscribe_round_trip_in_order_with_gaps_reported_as_skipped()
    {
        var relay = new ChannelRelay("news/live");
        relay.Drop.UnionWith([3, 4, 8]);
        await using var node = new TestNode(relay.HandleAsync);
        await using SttClient subscriber = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);
        await using SttClient publisher = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);
        Assert.Equal("udp", subscriber.TransportName);
        Assert.Equal(node.Identity.NodeId, subscriber.PeerNodeId);

        var received = new List<(ulong Sequence, string Text, ulong Skipped)>();
        Task collect = Task.Run(async () =>
        {
            await foreach (ChannelMessage message in subscriber.SubscribeAsync("news/live", ct: Ct))
            {
                received.Add((message.Sequence, Encoding.UTF8.GetString(message.Payload.Span), message.Skipped));
            }
        }, Ct);
        await relay.SubscriberJoined.Task.WaitAsync(Bound, Ct);

        await using (ChannelPublisher channel = await publisher.PublishAsync("news/live", Ct).WaitAsync(Bound, Ct))
        {
            for (int i = 0; i < 10; i++)
            {
                await channel.WriteAsync(Encoding.UTF8.GetBytes("m" + i), Ct);
            }

            await channel.CompleteAsync(Ct).WaitAsync(Bound, Ct);
        }

        await collect.WaitAsync(Bound, Ct);
        Assert.Equal([0UL, 1, 2, 5, 6, 7, 9], received.Select(r => r.Sequence));
        Assert.Equal(received.Select(r => "m" + r.Sequence), received.Select(r => r.Text));
        Assert.Equal([0UL, 0, 0, 2, 0, 0, 1], received.Select(r => r.Skipped));
        Assert.Empty(node.Failures);
    }

    [Fact]
    public async Task Leaving_the_enumeration_sends_stop_sending_cancelled()
    {
        var relay = new ChannelRelay("a/b");
        await using var node = new TestNode(relay.EndlessSubscribeAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        int count = 0;
        await foreach (ChannelMessage message in client.SubscribeAsync("a/b", replay: true, Ct))
        {
            Assert.Equal((ulong)count, message.Sequence);
            if (++count == 3)
            {
                break;
            }
        }

        ulong code = await relay.SubscriberStopped.Task.WaitAsync(Bound, Ct);
        Assert.Equal((ulong)DistributionStreamErrorCode.Cancelled, code);
    }

    [Fact]
    public async Task Cancelling_the_enumeration_stops_the_stream_and_throws()
    {
        var relay = new ChannelRelay("a/b");
        await using var node = new TestNode(relay.EndlessSubscribeAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChannelMessage message in client.SubscribeAsync("a/b", ct: cts.Token))
            {
                if (message.Sequence == 1)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal((ulong)DistributionStreamErrorCode.Cancelled, await relay.SubscriberStopped.Task.WaitAsync(Bound, Ct));
    }

    [Fact]
    public async Task Unknown_channel_throws_with_the_servers_status_and_text()
    {
        var relay = new ChannelRelay("exists");
        await using var node = new TestNode(relay.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(async () =>
        {
            await foreach (ChannelMessage _ in client.SubscribeAsync("missing", ct: Ct))
            {
            }
        });
        Assert.Equal(DistributionStatus.UnknownChannel, ex.Status);
        Assert.Equal("no such channel", ex.ServerMessage);

        var publishEx = await Assert.ThrowsAsync<DistributionException>(() => client.PublishAsync("missing", Ct));
        Assert.Equal(DistributionStatus.UnknownChannel, publishEx.Status);
        Assert.Throws<ArgumentException>(() => client.SubscribeAsync("bad//name", ct: Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync("/lead", Ct));
    }

    [Fact]
    public async Task Oversize_publish_message_throws_the_servers_error()
    {
        var relay = new ChannelRelay("c") { MaxMessageLength = 100 };
        await using var node = new TestNode(relay.HandleAsync);
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);
        await using ChannelPublisher channel = await client.PublishAsync("c", Ct).WaitAsync(Bound, Ct);
        await channel.WriteAsync(new byte[10], Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await channel.WriteAsync(new byte[1000], Ct);
                await Task.Delay(20, Ct);
            }
        }).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.TooLarge, ex.Status);
    }

    [Fact]
    public async Task Error_after_ok_on_a_subscription_throws()
    {
        await using var node = new TestNode(async stream =>
        {
            await stream.OkAsync();
            await stream.RawAsync([0x00, 0x00, 0x41]);
            await stream.ErrorAsync(DistributionStatus.ShuttingDown, "bye");
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var payloads = new List<byte[]>();
        var ex = await Assert.ThrowsAsync<DistributionException>(async () =>
        {
            await foreach (ChannelMessage message in client.SubscribeAsync("x", ct: Ct))
            {
                payloads.Add(message.ToArray());
            }
        }).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.ShuttingDown, ex.Status);
        Assert.Equal("bye", ex.ServerMessage);
        Assert.Equal([(byte)0x41], Assert.Single(payloads));
    }

    [Fact]
    public async Task Session_closed_for_a_slow_consumer_throws_session_closed()
    {
        await using var node = new TestNode(async stream =>
        {
            await stream.OkAsync();
            await stream.RawAsync([0x00, 0x00, 0x41]);
            await Task.Delay(100);
            await stream.Session.CloseAsync(Stt.Protocol.ProtocolErrorCode.SlowConsumer, "slow consumer");
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        int count = 0;
        var ex = await Assert.ThrowsAsync<Stt.Transport.SessionClosedException>(async () =>
        {
            await foreach (ChannelMessage _ in client.SubscribeAsync("x", ct: Ct))
            {
                count++;
            }
        }).WaitAsync(Bound, Ct);
        Assert.Equal(Stt.Protocol.ProtocolErrorCode.SlowConsumer, ex.CloseCode);
        Assert.True(ex.ClosedByPeer);
        Assert.Equal(1, count);
    }
}

using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Protocol.Identity;
using Stt.Server.Tests.Node;
using Xunit;
using static Stt.Server.Tests.FanOutNode.FanOutNodeHelpers;

namespace Stt.Server.Tests.FanOutNode;

/// <summary>Late joiners with replay, and the publisher allow-list, against a real node.</summary>
[Collection(NodeHeavyCollection.Name)]
public sealed class ReplayAndPublishersTests
{
    private const int PayloadLength = 100;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_late_joiner_with_replay_gets_the_last_replay_messages_then_live_ones_contiguously(bool udp)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const string channel = "fanout/replay";
        const int replayMessages = 16;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Channels:ReplayMessages"] = replayMessages.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using SttClient publisherClient = await SttClient.ConnectAsync(NodeUri(node, udp), node.SharedSeedBytes, ct);
        await using SttClient subscriber = await SttClient.ConnectAsync(NodeUri(node, udp), node.SharedSeedBytes, ct);
        await using ChannelPublisher publisher = await publisherClient.PublishAsync(channel, ct);
        for (int i = 0; i < 100; i++)
        {
            await publisher.WriteAsync(Payload(i, PayloadLength), ct);
        }

        await WaitUntilAsync(() => Channel(node, channel).MessagesPublished == 100, "100 published");
        Assert.Equal(replayMessages, Channel(node, channel).ReplayMessages);

        var tally = new SubscriberTally();
        Task reader = Task.Run(() => tally.ReadAsync(subscriber, channel, replay: true, replayMessages + 10, 100 - replayMessages, PayloadLength, ct), ct);
        await WaitUntilAsync(() => tally.Received == replayMessages, "the replayed messages");
        for (int i = 100; i < 110; i++)
        {
            await publisher.WriteAsync(Payload(i, PayloadLength), ct);
        }

        await reader.WaitAsync(TimeSpan.FromSeconds(20), ct);
        await publisher.CompleteAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Null(tally.Failure);
        Assert.Equal(replayMessages + 10, tally.Received);
        Assert.Equal(0, tally.Skipped);
        ulong lastSequence = Channel(node, channel).LastSequence;
        Assert.Equal(lastSequence - (ulong)(replayMessages + 10) + 1, tally.FirstSequence);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Only_listed_publishers_may_publish(bool udp)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const string channel = "fanout/restricted";
        byte[] allowedSeed = RandomNumberGenerator.GetBytes(NodeIdentity.MinimumSeedLength);
        using var allowedIdentity = new NodeIdentity(allowedSeed);
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Channels:Publishers:0"] = allowedIdentity.NodeId.ToString().ToUpperInvariant(),
        });
        using SharedSeed seed = node.CreateSharedSeed();

        await using SttClient stranger = await SttClient.ConnectAsync(NodeUri(node, udp), node.SharedSeedBytes, ct);
        DistributionException refused = await Assert.ThrowsAsync<DistributionException>(() => stranger.PublishAsync(channel, ct));
        Assert.Equal(DistributionStatus.NotAuthorised, refused.Status);

        // The refusal left the stranger's session usable: it may still subscribe.
        var tally = new SubscriberTally();
        Task reader = Task.Run(() => tally.ReadAsync(stranger, channel, replay: false, 5, 0, PayloadLength, ct), ct);
        await WaitUntilAsync(() => Subscribers(node, channel) == 1, "the stranger subscribed");

        await using SttClient allowed = await SttClient.ConnectAsync(NodeUri(node, udp), new SttClientOptions { SharedSeed = seed, Identity = allowedIdentity }, ct);
        await using (ChannelPublisher publisher = await allowed.PublishAsync(channel, ct))
        {
            for (int i = 0; i < 5; i++)
            {
                await publisher.WriteAsync(Payload(i, PayloadLength), ct);
            }

            await reader.WaitAsync(TimeSpan.FromSeconds(20), ct);
            await publisher.CompleteAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        Assert.Null(tally.Failure);
        Assert.Equal(5, tally.Received);
        Assert.Equal(5, Channel(node, channel).MessagesPublished);
    }
}

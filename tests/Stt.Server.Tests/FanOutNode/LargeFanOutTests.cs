using System.Diagnostics;
using Stt.Client;
using Stt.Server.FanOut;
using Stt.Server.Tests.Node;
using Xunit;
using static Stt.Server.Tests.FanOutNode.FanOutNodeHelpers;

namespace Stt.Server.Tests.FanOutNode;

/// <summary>300 WebSocket and 300 UDP subscribers on one channel of a real node each receive every message, in order.</summary>
[Collection(NodeHeavyCollection.Name)]
public sealed class LargeFanOutTests
{
    private const string ChannelName = "fanout/large";
    private const int SubscribersPerTransport = 300;
    private const int Messages = 2_000;
    private const int PayloadLength = 256;
    private const int QueueBytes = 4 * 1024 * 1024;
    private const double UdpHandshakesPerSecond = 17;

    [Fact]
    public async Task Six_hundred_subscribers_over_both_transports_receive_all_messages_in_order()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var total = Stopwatch.StartNew();
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Channels:SubscriberQueueBytes"] = QueueBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stt:Channels:MaxMessageLength"] = "65536",
        });

        var clients = new SttClient[2 * SubscribersPerTransport];
        try
        {
            // Connect 50 at a time: even indexes over WebSocket, odd ones over UDP (each UDP client owns its socket).
            // The node's UDP handshake guard admits 20 handshakes a second per source address after a burst of 40,
            // and every client here comes from 127.0.0.1, so UDP handshakes are paced just under that rate.
            using (var gate = new SemaphoreSlim(50))
            {
                var pace = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients.Length).Select(async i =>
                {
                    bool udp = i % 2 == 1;
                    if (udp)
                    {
                        TimeSpan due = TimeSpan.FromMilliseconds(Math.Max(0, (i / 2) - 30) * 1000.0 / UdpHandshakesPerSecond);
                        TimeSpan wait = due - pace.Elapsed;
                        if (wait > TimeSpan.Zero)
                        {
                            await Task.Delay(wait, ct);
                        }
                    }

                    await gate.WaitAsync(ct);
                    try
                    {
                        clients[i] = await SttClient.ConnectAsync(NodeUri(node, udp), node.SharedSeedBytes, ct);
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).WaitAsync(TimeSpan.FromSeconds(60), ct);
            }

            TimeSpan connected = total.Elapsed;
            Assert.Equal(SubscribersPerTransport, clients.Count(c => c.TransportName == "udp"));
            Assert.Equal(SubscribersPerTransport, clients.Count(c => c.TransportName == "websocket"));

            var received = new int[clients.Length];
            var skipped = new long[clients.Length];
            var failures = new string?[clients.Length];
            Task[] readers = clients.Select((client, i) => Task.Run(async () =>
            {
                ulong? first = null;
                await foreach (ChannelMessage message in client.SubscribeAsync(ChannelName, replay: false, ct))
                {
                    int count = received[i];
                    first ??= message.Sequence;
                    skipped[i] += (long)message.Skipped;
                    int index = IndexOf(message.Payload.Span);
                    if (message.Sequence != first.Value + (ulong)count || index != count || message.Payload.Length != PayloadLength)
                    {
                        failures[i] ??= $"subscriber {i} ({client.TransportName}): message #{count} had sequence {message.Sequence} (first {first}), index {index}, length {message.Payload.Length}";
                    }

                    Volatile.Write(ref received[i], count + 1);
                    if (count + 1 == Messages)
                    {
                        break;
                    }
                }
            }, ct)).ToArray();

            await WaitUntilAsync(() => Subscribers(node, ChannelName) == clients.Length, "all 600 subscribed", 60);
            TimeSpan subscribed = total.Elapsed;

            await using SttClient publisherClient = await SttClient.ConnectAsync(UdpUri(node), node.SharedSeedBytes, ct);
            await using ChannelPublisher publisher = await publisherClient.PublishAsync(ChannelName, ct);
            var publishWatch = Stopwatch.StartNew();
            for (int i = 0; i < Messages; i++)
            {
                await publisher.WriteAsync(Payload(i, PayloadLength), ct);
            }

            await WaitUntilAsync(() => Channel(node, ChannelName).MessagesPublished == Messages, "the node took all messages", 60);
            TimeSpan published = publishWatch.Elapsed;

            Task all = Task.WhenAll(readers);
            try
            {
                await all.WaitAsync(TimeSpan.FromSeconds(75), ct);
            }
            catch (TimeoutException)
            {
                int behind = received.Count(r => r < Messages);
                Assert.Fail($"{behind} subscribers did not get all {Messages} messages in time; lowest count {received.Min()}.");
            }

            TimeSpan delivered = publishWatch.Elapsed;
            await publisher.CompleteAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);

            Assert.All(failures, f => Assert.Null(f));
            Assert.All(received, r => Assert.Equal(Messages, r));
            Assert.All(skipped, s => Assert.Equal(0, s));

            ChannelStatistics stats = Channel(node, ChannelName);
            Assert.Equal(Messages, stats.MessagesPublished);
            Assert.Equal(0, stats.MessagesDropped);
            Assert.True(stats.MessagesDelivered >= (long)Messages * clients.Length, $"delivered {stats.MessagesDelivered}");

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"connected 600 in {connected.TotalSeconds:F1} s, subscribed at {subscribed.TotalSeconds:F1} s, published {Messages} in {published.TotalSeconds:F1} s, all delivered {delivered.TotalSeconds:F1} s after the first publish; total {total.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            using var gate = new SemaphoreSlim(100);
            await Task.WhenAll(clients.Where(c => c is not null).Select(async c =>
            {
                await gate.WaitAsync(CancellationToken.None);
                try
                {
                    await c.DisposeAsync();
                }
                finally
                {
                    gate.Release();
                }
            })).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
    }
}

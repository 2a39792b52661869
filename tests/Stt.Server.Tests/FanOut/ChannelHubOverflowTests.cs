using Stt.Server.FanOut;
using Xunit;

namespace Stt.Server.Tests.FanOut;

public sealed class ChannelHubOverflowTests
{
    private const int QueueLimit = 4096;

    // 1-byte varint for sequences up to 63, 2 bytes above; payload 100 bytes: encoded 101-102 bytes.
    private const int PayloadLength = 100;

    private static ChannelHub NewHub(ChannelOverflowPolicy policy) => new(new ChannelHubOptions
    {
        DefaultChannel = new ChannelOptions
        {
            Policy = policy,
            SubscriberQueueLimitBytes = QueueLimit,
            MaxMessageLength = 1024,
            ReplayMessages = 0,
            ReplayBytes = 0,
        },
    });

    /// <summary>Publishes in batches small enough for the fast sinks' queues, waiting for them after each batch.</summary>
    private static async Task PublishPacedAsync(LiveChannel channel, TestSink[] fast, int messages, Action<int>? afterEach = null)
    {
        for (int m = 1; m <= messages; m++)
        {
            channel.Publish(TestSink.Payload((ulong)m, PayloadLength));
            afterEach?.Invoke(m);
            if (m % 10 == 0 || m == messages)
            {
                int published = m;
                await Eventually.TrueAsync(() => fast.All(s => s.Count == published), $"fast sinks caught up to {published}");
            }
        }
    }

    [Fact]
    public async Task Slow_subscriber_under_SkipToNewest_sees_gaps_in_order_and_fast_ones_lose_nothing()
    {
        const int Messages = 600;
        using ChannelHub hub = NewHub(ChannelOverflowPolicy.SkipToNewest);
        LiveChannel channel = hub.GetOrCreateChannel("skip");
        TestSink[] fast = [.. Enumerable.Range(0, 8).Select(_ => new TestSink())];
        Subscription[] fastSubscriptions = [.. fast.Select(s => channel.Subscribe(s))];
        var slow = new TestSink(budget: 0);
        using Subscription slowSubscription = channel.Subscribe(slow);

        // The slow consumer drains 1 KiB now and then: about ten messages every hundred.
        await PublishPacedAsync(channel, fast, Messages, m =>
        {
            Assert.InRange(slowSubscription.QueuedBytes, 0, QueueLimit);
            if (m % 100 == 0)
            {
                slow.Open(1024);
            }
        });

        slow.Open();
        await Eventually.TrueAsync(() => slow.LastSequence == Messages && slowSubscription.QueuedBytes == 0, "the slow sink drained its queue");

        foreach (TestSink sink in fast)
        {
            Assert.Equal(Enumerable.Range(1, Messages).Select(i => (ulong)i), sink.Sequences);
            Assert.True(sink.PayloadsValid);
        }

        ulong[] received = slow.Sequences;
        Assert.True(slow.Ordered, "the slow sink's sequences strictly increase");
        Assert.False(slow.Contiguous, "the slow sink saw gaps");
        Assert.True(slow.PayloadsValid);
        Assert.Equal((ulong)Messages, received[^1]);
        Assert.InRange(received.Length, 40, Messages - 100);

        SubscriberStatistics slowStats = slowSubscription.GetStatistics();
        Assert.Equal(Messages, slowStats.MessagesDelivered + slowStats.MessagesDropped);
        Assert.Equal(received.Length, slowStats.MessagesDelivered);
        Assert.InRange(slowStats.PeakQueuedBytes, QueueLimit - 2 * (PayloadLength + 2), QueueLimit);
        Assert.Equal((ulong)Messages, slowStats.LastDeliveredSequence);

        ChannelStatistics stats = channel.GetStatistics();
        Assert.Equal(slowStats.MessagesDropped, stats.MessagesDropped);
        Assert.All(stats.Subscribers.Where(s => s.Id != slowSubscription.Id), s => Assert.Equal(0, s.MessagesDropped));
        Assert.Equal(9, stats.SubscriberCount);

        foreach (Subscription subscription in fastSubscriptions)
        {
            subscription.Dispose();
        }
    }

    [Fact]
    public async Task Slow_subscriber_under_Disconnect_is_removed_and_notified_and_others_are_unaffected()
    {
        const int Messages = 200;
        using ChannelHub hub = NewHub(ChannelOverflowPolicy.Disconnect);
        LiveChannel channel = hub.GetOrCreateChannel("disconnect");
        TestSink[] fast = [.. Enumerable.Range(0, 8).Select(_ => new TestSink())];
        Subscription[] fastSubscriptions = [.. fast.Select(s => channel.Subscribe(s))];
        var slow = new TestSink(budget: 0);
        Subscription slowSubscription = channel.Subscribe(slow);

        await PublishPacedAsync(channel, fast, Messages);

        await slow.SlowConsumer.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(slowSubscription.IsClosed);
        Assert.Equal(0, slow.Count);
        Assert.Equal(fast.Length, channel.SubscriberCount);
        SubscriberStatistics slowStats = slowSubscription.GetStatistics();
        Assert.Equal(0, slowStats.QueuedBytes);

        // The queue took floor(4096 / 101) = 40 one-byte-varint messages; the 41st overflowed it.
        Assert.Equal(41, slowStats.MessagesDropped);
        Assert.Equal(41, channel.GetStatistics().MessagesDropped);
        foreach (TestSink sink in fast)
        {
            Assert.Equal(Enumerable.Range(1, Messages).Select(i => (ulong)i), sink.Sequences);
        }

        // Opening the sink afterwards delivers nothing more and disposing again is harmless.
        slow.Open();
        channel.Publish(TestSink.Payload(Messages + 1, PayloadLength));
        await Eventually.TrueAsync(() => fast.All(s => s.Count == Messages + 1), "the fast sinks got one more");
        Assert.Equal(0, slow.Count);
        slowSubscription.Dispose();
        foreach (Subscription subscription in fastSubscriptions)
        {
            subscription.Dispose();
        }

        await Eventually.TrueAsync(() => hub.PayloadPool.Outstanding == 0, "every payload returned");
    }

    [Fact]
    public void Queue_memory_never_exceeds_the_limit()
    {
        const int Limit = 2048;
        using ChannelHub hub = new(new ChannelHubOptions
        {
            DefaultChannel = new ChannelOptions { SubscriberQueueLimitBytes = Limit, MaxMessageLength = 600, ReplayMessages = 4, ReplayBytes = 1024 },
        });
        LiveChannel channel = hub.GetOrCreateChannel("bounded");
        Subscription[] subscriptions = [.. Enumerable.Range(0, 4).Select(_ => channel.Subscribe(new TestSink(budget: 0)))];
        var random = new Random(1234);
        for (int m = 1; m <= 1000; m++)
        {
            channel.Publish(TestSink.Payload((ulong)m, random.Next(8, 601)));
            foreach (Subscription subscription in subscriptions)
            {
                Assert.InRange(subscription.QueuedBytes, 0, Limit);
            }

            Assert.InRange(hub.QueuedBytes, 0, subscriptions.Length * Limit);
        }

        HubStatistics stats = hub.GetStatistics();
        Assert.All(stats.Channels[0].Subscribers, s =>
        {
            Assert.InRange(s.PeakQueuedBytes, 0, Limit);
            Assert.Equal(0, s.MessagesDelivered);
            Assert.Equal(1000, s.QueuedMessages + s.MessagesDropped);
        });
        Assert.InRange(stats.Channels[0].ReplayBytes, 0, 1024);

        // Everything the pool still lends out is referenced by a queue or the replay buffer.
        long queued = stats.Channels[0].Subscribers.Max(s => s.QueuedMessages);
        Assert.InRange(hub.PayloadPool.Outstanding, 1, queued + 4 + subscriptions.Length);
        foreach (Subscription subscription in subscriptions)
        {
            subscription.Dispose();
        }

        Assert.InRange(hub.PayloadPool.Outstanding, 1, 4);
        hub.Dispose();
        Assert.Equal(0, hub.PayloadPool.Outstanding);
    }
}

using System.Diagnostics.Metrics;
using Stt.Server.FanOut;
using Xunit;

namespace Stt.Server.Tests.FanOut;

public sealed class ChannelHubLifecycleTests
{
    [Fact]
    public void Unsubscribing_while_messages_are_queued_releases_them()
    {
        using ChannelHub hub = new(new ChannelHubOptions { DefaultChannel = new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0 } });
        LiveChannel channel = hub.GetOrCreateChannel("queued");
        var sink = new TestSink(budget: 0);
        Subscription subscription = channel.Subscribe(sink);
        for (ulong m = 1; m <= 50; m++)
        {
            channel.Publish(TestSink.Payload(m, 200));
        }

        Assert.Equal(50, subscription.GetStatistics().QueuedMessages);
        Assert.Equal(50, hub.PayloadPool.Outstanding);
        subscription.Dispose();

        Assert.True(subscription.IsClosed);
        Assert.Equal(0, channel.SubscriberCount);
        Assert.Equal(0, hub.PayloadPool.Outstanding);
        Assert.Equal(50, hub.PayloadPool.Returned);
        Assert.Equal(50, subscription.GetStatistics().MessagesDropped);
        Assert.Equal(50, channel.GetStatistics().MessagesDropped);
        subscription.Dispose();
        Assert.Equal(0, sink.Count);
    }

    [Fact]
    public async Task Unsubscribing_during_a_write_leaves_the_message_to_the_pump_which_releases_it()
    {
        using ChannelHub hub = new(new ChannelHubOptions { DefaultChannel = new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0 } });
        LiveChannel channel = hub.GetOrCreateChannel("mid-write");
        using var sink = new BlockingSink();
        Subscription subscription = channel.Subscribe(sink);
        for (ulong m = 1; m <= 3; m++)
        {
            channel.Publish(TestSink.Payload(m, 64));
        }

        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the pump started writing");
        subscription.Dispose();
        Assert.Equal(1, hub.PayloadPool.Outstanding);
        sink.Proceed.Set();
        await Eventually.TrueAsync(() => hub.PayloadPool.Outstanding == 0, "the pump released the message it was writing");
        SubscriberStatistics stats = subscription.GetStatistics();
        Assert.Equal(1, stats.MessagesDelivered);
        Assert.Equal(2, stats.MessagesDropped);
        Assert.Equal(1, sink.Writes);
    }

    [Fact]
    public async Task Payload_buffers_all_return_to_the_pool_after_unsubscribe_and_hub_disposal()
    {
        ChannelHub hub = new(new ChannelHubOptions { DefaultChannel = new ChannelOptions { ReplayMessages = 8 } });
        TestSink[] sinks = [.. Enumerable.Range(0, 20).Select(i => new TestSink(budget: i % 2 == 0 ? long.MaxValue : 500))];
        Subscription[] subscriptions = [.. sinks.Select(s => hub.Subscribe("pool", s))];
        for (ulong m = 1; m <= 300; m++)
        {
            hub.Publish("pool", TestSink.Payload(m, 100));
        }

        await Eventually.TrueAsync(() => sinks.Where((_, i) => i % 2 == 0).All(s => s.Count == 300), "the open sinks got everything");
        Assert.Equal(300, hub.PayloadPool.Rented);
        Assert.True(hub.PayloadPool.Outstanding >= 8, "the replay buffer and the blocked queues hold payloads");
        foreach (Subscription subscription in subscriptions)
        {
            await subscription.DisposeAsync();
        }

        await Eventually.TrueAsync(() => hub.PayloadPool.Outstanding == 8, "only the replay buffer holds payloads");
        hub.Dispose();
        Assert.Equal(0, hub.PayloadPool.Outstanding);
        Assert.Equal(300, hub.PayloadPool.Returned);
    }

    [Fact]
    public async Task A_failing_sink_ends_its_subscription()
    {
        using ChannelHub hub = new();
        LiveChannel channel = hub.GetOrCreateChannel("broken");
        var broken = new TestSink { Broken = true };
        var healthy = new TestSink();
        Subscription brokenSubscription = channel.Subscribe(broken);
        using Subscription healthySubscription = channel.Subscribe(healthy);
        channel.Publish(TestSink.Payload(1, 16));
        channel.Publish(TestSink.Payload(2, 16));

        await Eventually.TrueAsync(() => brokenSubscription.IsClosed, "the failing subscription ended");
        await Eventually.TrueAsync(() => healthy.Count == 2, "the healthy sink got both");
        Assert.Equal(1, channel.SubscriberCount);
        Assert.False(broken.SlowConsumer.Task.IsCompleted);
    }

    [Fact]
    public void Publish_rejects_payloads_over_the_channel_limit()
    {
        using ChannelHub hub = new(new ChannelHubOptions { DefaultChannel = new ChannelOptions { MaxMessageLength = 100 } });
        LiveChannel channel = hub.GetOrCreateChannel("small");
        Assert.Equal(1UL, channel.Publish(new byte[100]));
        Assert.Throws<ArgumentException>(() => channel.Publish(new byte[101]));
        Assert.Equal(1UL, channel.LastSequence);
        Assert.Equal(1, channel.MessagesPublished);
    }

    [Fact]
    public void Channel_count_is_capped_and_names_are_checked()
    {
        using ChannelHub hub = new(new ChannelHubOptions { MaxChannels = 2 });
        Assert.True(hub.TryGetOrCreateChannel("a", out LiveChannel? a));
        Assert.True(hub.TryGetOrCreateChannel("b", out _));
        Assert.True(hub.TryGetOrCreateChannel("a", out LiveChannel? again));
        Assert.Same(a, again);
        Assert.False(hub.TryGetOrCreateChannel("c", out LiveChannel? c));
        Assert.Null(c);
        Assert.Throws<InvalidOperationException>(() => hub.Publish("c", [1]));
        Assert.Throws<InvalidOperationException>(() => hub.Subscribe("c", new TestSink()));
        Assert.Throws<ArgumentException>(() => hub.GetOrCreateChannel(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => hub.GetOrCreateChannel(new string('x', ChannelHubOptions.MaxChannelNameLength + 1)));
        Assert.Equal(2, hub.ChannelCount);
        Assert.False(hub.TryGetChannel("c", out _));
    }

    [Fact]
    public void Channel_options_come_from_exact_names_then_the_longest_pattern_then_the_default()
    {
        var exact = new ChannelOptions { ReplayMessages = 1 };
        var video = new ChannelOptions { ReplayMessages = 2 };
        var videoHd = new ChannelOptions { ReplayMessages = 3, Policy = ChannelOverflowPolicy.Disconnect };
        using ChannelHub hub = new(new ChannelHubOptions
        {
            ChannelOverrides = new Dictionary<string, ChannelOptions>
            {
                ["video/main"] = exact,
                ["video/*"] = video,
                ["video/hd/*"] = videoHd,
            },
        });

        Assert.Same(exact, hub.GetChannelOptions("video/main"));
        Assert.Same(video, hub.GetChannelOptions("video/other"));
        Assert.Same(videoHd, hub.GetChannelOptions("video/hd/1"));
        Assert.Equal(64, hub.GetChannelOptions("audio").ReplayMessages);
        Assert.Same(videoHd, hub.GetOrCreateChannel("video/hd/2").Options);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelHub(new ChannelHubOptions { MaxChannels = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelHub(new ChannelHubOptions
        {
            DefaultChannel = new ChannelOptions { SubscriberQueueLimitBytes = 1000, ReplayBytes = 2000 },
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelHub(new ChannelHubOptions
        {
            DefaultChannel = new ChannelOptions { SubscriberQueueLimitBytes = 1000, ReplayBytes = 100, MaxMessageLength = 995 },
        }));
        Assert.Throws<ArgumentException>(() => new ChannelHub(new ChannelHubOptions
        {
            ChannelOverrides = new Dictionary<string, ChannelOptions> { ["x"] = new() { AllowedPublishers = ["not-hex"] } },
        }));
    }

    [Fact]
    public void Any_authenticated_peer_may_publish_unless_an_allow_list_applies()
    {
        using ChannelHub hub = new(new ChannelHubOptions
        {
            ChannelOverrides = new Dictionary<string, ChannelOptions>
            {
                ["secure/*"] = new() { AllowedPublishers = ["A1B2c3", "00ff"] },
                ["closed"] = new() { AllowedPublishers = [] },
            },
        });

        Assert.True(hub.CanPublish("open", [1, 2, 3]));
        Assert.False(hub.CanPublish("open", []));
        Assert.True(hub.CanPublish("secure/feed", [0xa1, 0xb2, 0xc3]));
        Assert.True(hub.CanPublish("secure/feed", [0x00, 0xFF]));
        Assert.False(hub.CanPublish("secure/feed", [0xa1, 0xb2]));
        Assert.False(hub.CanPublish("secure/feed", [.. Enumerable.Repeat((byte)0xa1, 100)]));
        Assert.False(hub.CanPublish("closed", [0x00, 0xFF]));
    }

    [Fact]
    public async Task Metrics_count_published_delivered_dropped_and_disconnects()
    {
        using ChannelHub hub = new(new ChannelHubOptions
        {
            DefaultChannel = new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0, SubscriberQueueLimitBytes = 1024, MaxMessageLength = 512 },
            ChannelOverrides = new Dictionary<string, ChannelOptions>
            {
                ["strict"] = new() { Policy = ChannelOverflowPolicy.Disconnect, ReplayMessages = 0, ReplayBytes = 0, SubscriberQueueLimitBytes = 1024, MaxMessageLength = 512 },
            },
        });
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == hub.Metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }

            lock (totals)
            {
                totals[key] = instrument.IsObservable ? value : totals.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        var fast = new TestSink();
        var slowSkip = new TestSink(budget: 0);
        var slowStrict = new TestSink(budget: 0);
        using Subscription a = hub.Subscribe("live", fast);
        using Subscription b = hub.Subscribe("live", slowSkip);
        using Subscription c = hub.Subscribe("strict", slowStrict);
        for (ulong m = 1; m <= 20; m++)
        {
            hub.Publish("live", TestSink.Payload(m, 198));
            hub.Publish("strict", TestSink.Payload(m, 198));

            // Pace the publisher so that only the blocked sinks overflow.
            ulong published = m;
            await Eventually.TrueAsync(() => fast.LastSequence == published, "the fast sink kept up");
        }

        await slowStrict.SlowConsumer.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => fast.Count == 20, "the fast sink got everything");
        await Eventually.TrueAsync(() => { lock (totals) { return totals.GetValueOrDefault("stt.fanout.messages.delivered") == 20; } }, "delivered counted");
        listener.RecordObservableInstruments();

        lock (totals)
        {
            Assert.Equal(40, totals["stt.fanout.messages.published"]);
            // 200-byte messages, 1 KiB queue: five fit, so fifteen are skipped.
            Assert.Equal(15, totals["stt.fanout.messages.dropped|reason=skipped"]);
            // Five were queued when the sixth overflowed the strict queue.
            Assert.Equal(6, totals["stt.fanout.messages.dropped|reason=disconnected"]);
            Assert.Equal(1, totals["stt.fanout.slow_consumer.disconnects"]);
            Assert.Equal(2, totals["stt.fanout.channels"]);
            Assert.Equal(2, totals["stt.fanout.subscribers"]);
            Assert.Equal(1000, totals["stt.fanout.queue.bytes"]);
        }
    }

    /// <summary>A sink whose first write blocks until the test lets it proceed.</summary>
    private sealed class BlockingSink : ISubscriberSink, IDisposable
    {
        private int _writes;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Proceed { get; } = new();

        public int Writes => Volatile.Read(ref _writes);

        public bool TryWrite(ReadOnlySpan<byte> message)
        {
            Entered.Set();
            Assert.True(Proceed.Wait(TimeSpan.FromSeconds(10)));
            Interlocked.Increment(ref _writes);
            return true;
        }

        public ValueTask WaitWritableAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void OnSlowConsumer()
        {
        }

        public void Dispose()
        {
            Entered.Dispose();
            Proceed.Dispose();
        }
    }
}

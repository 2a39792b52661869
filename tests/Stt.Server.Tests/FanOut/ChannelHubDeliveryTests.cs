using Stt.Server.FanOut;
using Xunit;

namespace Stt.Server.Tests.FanOut;

public sealed class ChannelHubDeliveryTests
{
    private static ChannelHub NewHub(ChannelOptions? channel = null) =>
        new(new ChannelHubOptions { DefaultChannel = channel ?? new ChannelOptions() });

    [Fact]
    public async Task Thousand_subscribers_receive_two_thousand_messages_complete_and_in_order()
    {
        const int Subscribers = 1000;
        const int Messages = 2000;
        using ChannelHub hub = NewHub(new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0 });
        LiveChannel channel = hub.GetOrCreateChannel("live");
        var sinks = new TestSink[Subscribers];
        var subscriptions = new Subscription[Subscribers];
        for (int i = 0; i < Subscribers; i++)
        {
            sinks[i] = new TestSink(recordSequences: false);
            subscriptions[i] = channel.Subscribe(sinks[i], replay: false);
        }

        for (int m = 1; m <= Messages; m++)
        {
            Assert.Equal((ulong)m, channel.Publish(TestSink.Payload((ulong)m, 64)));
        }

        await Eventually.TrueAsync(() => sinks.All(s => s.Count == Messages), "every subscriber got every message", 120);
        foreach (TestSink sink in sinks)
        {
            Assert.True(sink.Ordered);
            Assert.True(sink.Contiguous);
            Assert.True(sink.PayloadsValid);
            Assert.Equal((ulong)Messages, sink.LastSequence);
        }

        await Eventually.TrueAsync(() => hub.PayloadPool.Outstanding == 0, "every payload released after delivery");
        HubStatistics stats = hub.GetStatistics();
        Assert.Equal(1, stats.ChannelCount);
        Assert.Equal(Subscribers, stats.SubscriberCount);
        Assert.Equal(Messages, stats.MessagesPublished);
        Assert.Equal((long)Subscribers * Messages, stats.MessagesDelivered);
        Assert.Equal(0, stats.MessagesDropped);
        Assert.Equal(0, stats.QueuedBytes);
        Assert.Equal((ulong)Messages, stats.Channels[0].LastSequence);
        Assert.Equal(Messages, hub.PayloadPool.Rented);

        foreach (Subscription subscription in subscriptions)
        {
            await subscription.DisposeAsync();
        }

        Assert.Equal(0, channel.SubscriberCount);
        Assert.Equal(hub.PayloadPool.Rented, hub.PayloadPool.Returned);
        Assert.All(sinks, s => Assert.Equal(0, s.Unflushed));
    }

    [Fact]
    public async Task A_backlog_is_written_in_a_row_and_flushed_once_per_turn_and_nothing_is_left_unflushed()
    {
        using ChannelHub hub = NewHub(new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0 });
        LiveChannel channel = hub.GetOrCreateChannel("live");
        var sink = new TestSink(budget: 0);
        using Subscription subscription = channel.Subscribe(sink, replay: false);

        // The sink takes nothing while 100 messages queue up; then it opens and the pump drains the backlog.
        for (int m = 1; m <= 100; m++)
        {
            channel.Publish(TestSink.Payload((ulong)m, 64));
        }

        sink.Open();
        await Eventually.TrueAsync(() => sink.Count == 100 && sink.Unflushed == 0, "the backlog was written and flushed");
        Assert.True(sink.Contiguous);

        // 64 messages a turn: two turns, so two flushes, the first carrying a full turn (63 when the sink opened just
        // as the pump's first write had failed, which then counts as the turn's first message).
        int flushes = sink.Flushes;
        Assert.Equal(2, flushes);
        Assert.InRange(sink.LargestFlush, 63, 64);

        // A message on an idle subscription is flushed by itself at once.
        channel.Publish(TestSink.Payload(101, 64));
        await Eventually.TrueAsync(() => sink.Count == 101 && sink.Unflushed == 0, "the live message was flushed");
        Assert.Equal(flushes + 1, sink.Flushes);
    }

    [Fact]
    public async Task Concurrent_publishers_are_serialised_into_unique_increasing_sequences()
    {
        const int PerThread = 5000;
        using ChannelHub hub = NewHub(new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0 });
        LiveChannel channel = hub.GetOrCreateChannel("two-publishers");
        var sink = new TestSink();
        using Subscription subscription = channel.Subscribe(sink);
        var returned = new ulong[2][];
        using var start = new Barrier(2);

        Task[] publishers = [.. Enumerable.Range(0, 2).Select(thread => Task.Run(() =>
        {
            var sequences = new ulong[PerThread];
            start.SignalAndWait(TimeSpan.FromSeconds(10));
            for (int i = 0; i < PerThread; i++)
            {
                // Tag: thread in the high bits, per-thread index below.
                sequences[i] = channel.Publish(TestSink.Payload(((ulong)thread << 32) | (uint)i, 16));
            }

            returned[thread] = sequences;
        }))];
        await Task.WhenAll(publishers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        ulong[] all = [.. returned[0].Concat(returned[1]).Order()];
        Assert.Equal(Enumerable.Range(1, 2 * PerThread).Select(i => (ulong)i), all);
        foreach (ulong[] sequences in returned)
        {
            Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), "each publisher's sequences increase");
        }

        await Eventually.TrueAsync(() => sink.Count == 2 * PerThread, "the subscriber got every message");
        Assert.True(sink.Contiguous);
        Assert.Equal(Enumerable.Range(1, 2 * PerThread).Select(i => (ulong)i), sink.Sequences);
        Assert.Equal((ulong)(2 * PerThread), channel.LastSequence);
    }

    [Fact]
    public async Task Late_joiner_gets_the_replay_buffer_then_live_messages_without_gaps_or_duplicates()
    {
        using ChannelHub hub = NewHub(new ChannelOptions { ReplayMessages = 5 });
        LiveChannel channel = hub.GetOrCreateChannel("replay");
        for (ulong m = 1; m <= 8; m++)
        {
            channel.Publish(TestSink.Payload(m, 32));
        }

        var late = new TestSink();
        var liveOnly = new TestSink();
        using Subscription lateSubscription = channel.Subscribe(late, replay: true);
        using Subscription liveSubscription = channel.Subscribe(liveOnly, replay: false);
        await Eventually.TrueAsync(() => late.Count == 5, "the replay arrived");
        Assert.Equal([4UL, 5, 6, 7, 8], late.Sequences);

        channel.Publish(TestSink.Payload(9, 32));
        channel.Publish(TestSink.Payload(10, 32));
        await Eventually.TrueAsync(() => late.Count == 7 && liveOnly.Count == 2, "the live messages arrived");
        Assert.Equal([4UL, 5, 6, 7, 8, 9, 10], late.Sequences);
        Assert.Equal([9UL, 10], liveOnly.Sequences);
        Assert.Equal(5, channel.GetStatistics().ReplayMessages);
    }

    [Fact]
    public async Task Replay_buffer_is_bounded_by_bytes()
    {
        // DATA tag + 1-byte sequence varint + 98-byte payload = 100 encoded bytes; 350 bytes keep the last three.
        using ChannelHub hub = NewHub(new ChannelOptions { ReplayMessages = 64, ReplayBytes = 350 });
        LiveChannel channel = hub.GetOrCreateChannel("replay-bytes");
        for (ulong m = 1; m <= 10; m++)
        {
            channel.Publish(TestSink.Payload(m, 98));
        }

        ChannelStatistics stats = channel.GetStatistics();
        Assert.Equal(3, stats.ReplayMessages);
        Assert.Equal(300, stats.ReplayBytes);
        var late = new TestSink();
        using Subscription subscription = channel.Subscribe(late);
        await Eventually.TrueAsync(() => late.Count == 3, "the replay arrived");
        Assert.Equal([8UL, 9, 10], late.Sequences);
    }

    [Fact]
    public async Task Joining_during_publishing_sees_a_contiguous_run_up_to_the_last_message()
    {
        const int Messages = 3000;
        using ChannelHub hub = NewHub(new ChannelOptions { ReplayMessages = 16 });
        LiveChannel channel = hub.GetOrCreateChannel("join-while-live");
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task publisher = Task.Run(async () =>
        {
            for (ulong m = 1; m <= Messages; m++)
            {
                channel.Publish(TestSink.Payload(m, 24));
                if (m == Messages / 3)
                {
                    await joined.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
                }
            }
        }, TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(() => channel.LastSequence >= Messages / 3, "the publisher is under way");
        var late = new TestSink();
        using Subscription subscription = channel.Subscribe(late);
        joined.SetResult();
        await publisher.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => late.LastSequence == Messages, "the late joiner reached the last message");
        Assert.True(late.Contiguous);
        ulong first = late.Sequences[0];
        Assert.Equal((ulong)(Messages / 3 - 15), first);
        Assert.Equal(Messages - (int)first + 1, late.Count);
    }

    [Fact]
    public void Every_subscriber_gets_the_same_encoded_bytes_with_the_sequence_prefix()
    {
        using ChannelHub hub = NewHub();
        byte[] payload = TestSink.Payload(42, 100);
        for (int i = 0; i < 70; i++)
        {
            hub.Publish("bytes", payload);
        }

        // DATA tag 0x00, then sequence 70 as a two-byte varint: 0x40 0x46.
        Assert.True(hub.TryGetChannel("bytes", out LiveChannel? channel));
        Assert.Equal(70UL, channel.LastSequence);
        SharedPayload shared = hub.PayloadPool.Rent(70, payload);
        Assert.Equal(new byte[] { 0x00, 0x40, 0x46 }, shared.Message[..3].ToArray());
        Assert.Equal(payload, shared.Message[3..].ToArray());
        shared.Release();
    }
}

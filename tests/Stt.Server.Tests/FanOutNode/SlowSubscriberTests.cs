using System.Buffers;
using System.Diagnostics.Metrics;
using Stt.Client;
using Stt.Protocol;
using Stt.Server.FanOut;
using Stt.Server.Tests.Node;
using Stt.Transport;
using Xunit;
using static Stt.Server.Tests.FanOutNode.FanOutNodeHelpers;

namespace Stt.Server.Tests.FanOutNode;

/// <summary>
/// One subscriber that stops reading while 20 others keep up, against a real node: under SkipToNewest it is skipped
/// within its queue bound and the others lose nothing; under Disconnect its session is closed with SLOW_CONSUMER.
/// </summary>
[Collection(NodeHeavyCollection.Name)]
public sealed class SlowSubscriberTests
{
    private const string ChannelName = "fanout/slow";
    private const int FastSubscribers = 20;
    private const int Messages = 5_000;
    private const int PayloadLength = 1024;
    private const int QueueBytes = 256 * 1024;
    private const int Burst = 64;

    /// <summary>The bound asserted on the managed heap's growth while the slow subscriber holds back its data.</summary>
    private const long ManagedGrowthBound = 64L * 1024 * 1024;

    private static Dictionary<string, string?> Settings(string policy) => new()
    {
        ["Stt:Channels:Policy"] = policy,
        ["Stt:Channels:SubscriberQueueBytes"] = QueueBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Stt:Channels:MaxMessageLength"] = "4096",
    };

    [Fact]
    public async Task Skip_to_newest_skips_the_slow_subscriber_within_its_queue_bound_and_the_fast_ones_get_everything()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(Settings("SkipToNewest"));
        ChannelHub hub = node.Service<ChannelHub>();
        await using Fixture fixture = await Fixture.StartAsync(node, ct);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        long peakPerSubscriber = 0;
        long peakHub = 0;
        using var stopPolling = new CancellationTokenSource();
        Task poller = Task.Run(async () =>
        {
            while (!stopPolling.IsCancellationRequested)
            {
                ChannelStatistics stats = Channel(node, ChannelName);
                long sum = 0;
                foreach (SubscriberStatistics subscriber in stats.Subscribers)
                {
                    peakPerSubscriber = Math.Max(peakPerSubscriber, subscriber.QueuedBytes);
                    sum += subscriber.QueuedBytes;
                }

                peakHub = Math.Max(peakHub, Math.Max(sum, hub.QueuedBytes));
                await Task.Delay(2, CancellationToken.None);
            }
        }, CancellationToken.None);

        ulong first = await fixture.PublishAllAsync(ct);
        await stopPolling.CancelAsync();
        await poller;
        long heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        fixture.AssertFastGotEverything();
        ChannelStatistics channel = Channel(node, ChannelName);
        Assert.Equal(FastSubscribers + 1, channel.SubscriberCount);
        SubscriberStatistics slow = Assert.Single(channel.Subscribers, s => s.MessagesDropped > 0);
        Assert.All(channel.Subscribers.Where(s => s.Id != slow.Id), s => Assert.Equal(0, s.MessagesDropped));
        Assert.All(channel.Subscribers, s => Assert.InRange(s.PeakQueuedBytes, 0, QueueBytes));
        Assert.InRange(slow.PeakQueuedBytes, QueueBytes - (4 * PayloadLength), QueueBytes);
        Assert.InRange(peakPerSubscriber, 0, QueueBytes);
        Assert.InRange(peakHub, 0, (FastSubscribers + 1L) * QueueBytes);
        Assert.True(heapGrowth < ManagedGrowthBound, $"the managed heap grew by {heapGrowth} bytes (bound {ManagedGrowthBound})");

        // Now the slow subscriber reads: sequences increase up to the last one published, with gaps.
        ulong last = first + Messages - 1;
        var buffer = new ArrayBufferWriter<byte>();
        ulong previous = 0;
        long gaps = 0;
        long read = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (previous != last && read < Messages)
        {
            (ulong Sequence, int Index)? message = await ReadRawAsync(fixture.Slow.Session, fixture.SlowStream, buffer, timeout.Token);
            Assert.NotNull(message);
            (ulong sequence, int index) = message.Value;
            Assert.True(sequence > previous, $"sequence {sequence} after {previous}");
            Assert.Equal((long)(sequence - first), (long)index);
            if (previous != 0 && sequence != previous + 1)
            {
                gaps += (long)(sequence - previous - 1);
            }

            previous = sequence;
            read++;
        }

        Assert.Equal(last, previous);
        Assert.True(gaps > 0, "the slow subscriber skipped messages");
        Assert.True(read < Messages, $"the slow subscriber read {read} of {Messages}");
        TestContext.Current.TestOutputHelper?.WriteLine($"slow subscriber read {read}, skipped {gaps}; peak queue {slow.PeakQueuedBytes} B; heap growth {heapGrowth} B");
    }

    [Fact]
    public async Task Disconnect_closes_the_slow_session_with_slow_consumer_and_the_fast_ones_lose_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(Settings("Disconnect"));
        ChannelHub hub = node.Service<ChannelHub>();
        long disconnects = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == hub.Metrics.Meter && instrument.Name == "stt.fanout.slow_consumer.disconnects")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref disconnects, value));
        listener.Start();

        await using Fixture fixture = await Fixture.StartAsync(node, ct);
        await fixture.PublishAllAsync(ct);
        fixture.AssertFastGotEverything();

        SttSession slow = fixture.Slow.Session;
        await slow.Completion.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(ProtocolErrorCode.SlowConsumer, slow.CloseCode);

        // Whatever reached the client before the close, reading on ends in SessionClosedException SLOW_CONSUMER.
        var buffer = new ArrayBufferWriter<byte>();
        SessionClosedException closed = await Assert.ThrowsAsync<SessionClosedException>(async () =>
        {
            for (int i = 0; i <= Messages; i++)
            {
                Assert.NotNull(await ReadRawAsync(slow, fixture.SlowStream, buffer, ct).WaitAsync(TimeSpan.FromSeconds(10), ct));
            }
        });
        Assert.Equal(ProtocolErrorCode.SlowConsumer, closed.CloseCode);

        Assert.Equal(1, Interlocked.Read(ref disconnects));
        ChannelStatistics channel = Channel(node, ChannelName);
        Assert.Equal(FastSubscribers, channel.SubscriberCount);
        Assert.All(channel.Subscribers, s => Assert.Equal(0, s.MessagesDropped));
        Assert.All(channel.Subscribers, s => Assert.InRange(s.PeakQueuedBytes, 0, QueueBytes));
    }

    /// <summary>The node's channel with one raw subscriber that never reads and 20 that read everything.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private readonly TestNode _node;
        private readonly List<SttClient> _clients = [];
        private readonly SubscriberTally[] _tallies = [.. Enumerable.Range(0, FastSubscribers).Select(_ => new SubscriberTally())];
        private Task[] _readers = [];

        private Fixture(TestNode node) => _node = node;

        public SttClient Slow { get; private set; } = null!;

        public int SlowStream { get; private set; }

        public SttClient Publisher { get; private set; } = null!;

        public static async Task<Fixture> StartAsync(TestNode node, CancellationToken ct)
        {
            var fixture = new Fixture(node);
            try
            {
                fixture.Slow = await fixture.ConnectAsync(udp: true, ct);
                fixture.SlowStream = await SubscribeRawAsync(fixture.Slow.Session, ChannelName, replay: false, ct);
                fixture.Publisher = await fixture.ConnectAsync(udp: true, ct);
                var fast = new SttClient[FastSubscribers];
                for (int i = 0; i < FastSubscribers; i++)
                {
                    fast[i] = await fixture.ConnectAsync(udp: i % 2 == 0, ct);
                }

                fixture._readers = [.. fast.Select((client, i) => Task.Run(
                    () => fixture._tallies[i].ReadAsync(client, ChannelName, replay: false, Messages, 0, PayloadLength, ct), ct))];
                await WaitUntilAsync(() => Subscribers(node, ChannelName) == FastSubscribers + 1, "21 subscribers");
                return fixture;
            }
            catch
            {
                await fixture.DisposeAsync();
                throw;
            }
        }

        /// <summary>Publishes every message in bursts, each once the fast subscribers caught up; returns the first sequence.</summary>
        public async Task<ulong> PublishAllAsync(CancellationToken ct)
        {
            await using ChannelPublisher publisher = await Publisher.PublishAsync(ChannelName, ct);
            for (int sent = 0; sent < Messages;)
            {
                int end = Math.Min(Messages, sent + Burst);
                for (; sent < end; sent++)
                {
                    await publisher.WriteAsync(Payload(sent, PayloadLength), ct);
                }

                int target = sent;
                await WaitUntilAsync(() => _tallies.All(t => t.Received >= target) || _tallies.Any(t => t.Failure is not null), $"the fast subscribers reach {target}");
            }

            await publisher.CompleteAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
            await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.Equal(Messages, Channel(_node, ChannelName).MessagesPublished);
            return _tallies[0].FirstSequence!.Value;
        }

        public void AssertFastGotEverything()
        {
            Assert.All(_tallies, t => Assert.Null(t.Failure));
            Assert.All(_tallies, t => Assert.Equal(Messages, t.Received));
            Assert.All(_tallies, t => Assert.Equal(0, t.Skipped));
            Assert.Single(_tallies.Select(t => t.FirstSequence).Distinct());
        }

        public async ValueTask DisposeAsync()
        {
            foreach (SttClient client in _clients)
            {
                await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
        }

        private async Task<SttClient> ConnectAsync(bool udp, CancellationToken ct)
        {
            SttClient client = await SttClient.ConnectAsync(NodeUri(_node, udp), _node.SharedSeedBytes, ct);
            _clients.Add(client);
            return client;
        }
    }
}

extern alias server;

using BenchmarkDotNet.Attributes;
using server::Stt.Server.FanOut;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// Publishing one 1 KiB message to <see cref="Subscribers"/> in-memory sinks through the fan-out hub, beside a
/// baseline that copies the payload once per subscriber. Each invocation publishes then waits until every sink has
/// taken the message, so the figure covers the publish, the pumps and the releases. The allocation column should
/// stay at (about) zero: payloads and their buffers are pooled and queues do not grow in steady state.
/// </summary>
/// <remarks>
/// Run in process (the out-of-process build exceeds BenchmarkDotNet's two-minute limit on a loaded 2-core box):
/// <c>dotnet bench/Stt.Benchmarks/bin/Release/net10.0/Stt.Benchmarks.dll --filter '*FanOut*' --inProcess</c>.
/// First figures (short job, shared 2-core machine): copy baseline 46 us, publish-to-all 299 us with 0 B allocated,
/// publish-only 289 us. The publisher's cost is mostly one thread-pool work item per idle subscriber pump.
/// </remarks>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int PayloadLength = 1024;

    private readonly byte[] _payload = new byte[PayloadLength];
    private byte[][] _copies = [];
    private ChannelHub? _hub;
    private LiveChannel? _channel;
    private CountingSink[] _sinks = [];
    private Subscription[] _subscriptions = [];
    private long _expected;

    /// <summary>Subscribers on the channel.</summary>
    [Params(1000)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_payload);
        _copies = [.. Enumerable.Range(0, Subscribers).Select(_ => new byte[PayloadLength + 8])];
        _hub = new ChannelHub(new ChannelHubOptions
        {
            DefaultChannel = new ChannelOptions { ReplayMessages = 0, ReplayBytes = 0 },
        });
        _channel = _hub.GetOrCreateChannel("bench");
        _sinks = [.. Enumerable.Range(0, Subscribers).Select(_ => new CountingSink())];
        _subscriptions = [.. _sinks.Select(s => _channel.Subscribe(s, replay: false))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Subscription subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _hub?.Dispose();
    }

    /// <summary>The floor: one memcpy of the payload per subscriber.</summary>
    [Benchmark(Baseline = true)]
    public int CopyPerSubscriber()
    {
        int total = 0;
        foreach (byte[] copy in _copies)
        {
            _payload.CopyTo(copy, 0);
            total += copy[0];
        }

        return total;
    }

    /// <summary>Publish once and wait until every subscriber's sink has taken the message.</summary>
    [Benchmark]
    public void PublishToAll()
    {
        _channel!.Publish(_payload);
        _expected++;
        var spin = default(SpinWait);
        foreach (CountingSink sink in _sinks)
        {
            while (Volatile.Read(ref sink.Written) < _expected)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>Publish only: the cost the publisher pays (serialise once, queue 1,000 references).</summary>
    [Benchmark]
    public void PublishOnly()
    {
        _channel!.Publish(_payload);
        _expected++;
    }

    private sealed class CountingSink : ISubscriberSink
    {
        public long Written;

        public bool TryWrite(ReadOnlySpan<byte> message)
        {
            Interlocked.Increment(ref Written);
            return true;
        }

        public ValueTask WaitWritableAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void OnSlowConsumer()
        {
        }
    }
}

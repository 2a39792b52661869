using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Protocol.Identity;
using Stt.Transport;
using Stt.Transport.Udp;
using Stt.Transport.WebSockets;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// One publisher to N subscribers on loopback, the server in a child process, the publisher and all subscribers in this
/// process. Each payload starts with <see cref="Stopwatch.GetTimestamp"/> taken just before the send; a subscriber
/// records now minus that. Messages published during the warm-up (5 s by default: long enough for the JIT's tiers to
/// settle on two busy cores) are not counted; the window is
/// the following <c>seconds</c>; after the publisher stops, subscribers get up to 3 s to drain.
/// </summary>
internal static class FanOutScenario
{
    private const string Channel = "bench/fanout";

    /// <summary>Runs one measurement; <paramref name="rate"/> is messages per second, or 0 for as fast as the publisher's sends complete.</summary>
    public static async Task<FanOutResult> RunAsync(string system, int subscribers, int rate, int size, double seconds, double warmUpSeconds, CancellationToken ct)
    {
        bool plain = system == "plain";
        await using ChildServer server = plain ? await ChildServer.StartPlainAsync(ct) : await ChildServer.StartNodeAsync(ct);
        var state = new WindowState();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var connect = Stopwatch.StartNew();
        await using Publisher publisher = system switch
        {
            "plain" => await Publisher.PlainAsync(server, ct),
            "stt-udp" => await Publisher.SttAsync(new Uri($"stt+udp://127.0.0.1:{server.UdpPort}"), server.SharedSeed, ct),
            _ => await Publisher.SttAsync(server.SttWebSocketUri, server.SharedSeed, ct),
        };
        await using SubscriberSet set = system switch
        {
            "plain" => await SubscriberSet.PlainAsync(server, subscribers, state, stop.Token),
            "stt-udp" => await SubscriberSet.SttUdpAsync(server, subscribers, state, stop.Token),
            _ => await SubscriberSet.SttWebSocketAsync(server, subscribers, state, stop.Token),
        };
        double connectSeconds = connect.Elapsed.TotalSeconds;

        // Publish: warm-up, then the window; paced by the stopwatch, or flat out when rate is 0.
        byte[] payload = RandomNumberGenerator.GetBytes(size);
        long start = Stopwatch.GetTimestamp();
        state.WindowStart = start + (long)(warmUpSeconds * Stopwatch.Frequency);
        state.WindowEnd = state.WindowStart + (long)(seconds * Stopwatch.Frequency);
        double serverCpu0 = 0, benchCpu0 = 0;
        bool windowOpen = false;
        long publishedInWindow = 0;
        for (long i = 0; ; i++)
        {
            long now = Stopwatch.GetTimestamp();
            if (!windowOpen && now >= state.WindowStart)
            {
                windowOpen = true;
                serverCpu0 = server.CpuSeconds;
                benchCpu0 = ProcessStats.CpuSeconds(Environment.ProcessId);
            }

            if (now >= state.WindowEnd)
            {
                break;
            }

            if (rate > 0)
            {
                long due = start + (i * Stopwatch.Frequency / rate);
                while ((now = Stopwatch.GetTimestamp()) < due)
                {
                    double waitMs = (due - now) * 1000.0 / Stopwatch.Frequency;
                    if (waitMs > 2)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(waitMs - 1), ct);
                    }
                    else
                    {
                        Thread.Yield();
                    }
                }
            }

            long timestamp = Stopwatch.GetTimestamp();
            BinaryPrimitives.WriteInt64LittleEndian(payload, timestamp);
            await publisher.SendAsync(payload, ct);
            if (timestamp >= state.WindowStart && timestamp < state.WindowEnd)
            {
                publishedInWindow++;
            }
        }

        // Where the time goes: the node's own view at the end of the window (bytes its hub holds for subscribers that
        // cannot take them yet, messages its live policy dropped) and the subscribers' smoothed RTT.
        double queued = plain ? -1 : await server.ScrapeAsync("stt_fanout_queue_bytes", ct) / 1024;
        double dropped = plain ? -1 : await server.ScrapeAsync("stt_fanout_messages_dropped", ct);
        double rtt = set.MeanSmoothedRttMs();
        double wall = seconds;
        double serverCpu = (server.CpuSeconds - serverCpu0) / wall * 100;
        double benchCpu = (ProcessStats.CpuSeconds(Environment.ProcessId) - benchCpu0) / wall * 100;

        // Drain: until nothing new arrived for 500 ms, at most 3 s.
        var drain = Stopwatch.StartNew();
        long last = -1;
        while (drain.Elapsed < TimeSpan.FromSeconds(3))
        {
            long received = Interlocked.Read(ref state.Received);
            if (received == last)
            {
                break;
            }

            last = received;
            await Task.Delay(500, ct);
        }

        long delivered = Interlocked.Read(ref state.Received);
        long bytes = Interlocked.Read(ref state.Bytes);
        await stop.CancelAsync();
        return new FanOutResult(
            plain ? "plain Kestrel WS" : "STT node",
            system == "stt-udp" ? "UDP" : "WebSocket",
            rate > 0 ? $"{rate}/s" : "max",
            subscribers,
            publishedInWindow / seconds,
            delivered / seconds,
            bytes / seconds / 1e6,
            state.Latency.PercentileMs(0.50),
            state.Latency.PercentileMs(0.99),
            state.Latency.PercentileMs(0.999),
            serverCpu,
            benchCpu,
            connectSeconds,
            Interlocked.Read(ref state.Skipped),
            queued,
            dropped,
            rtt);
    }

    /// <summary>What the subscribers share: the window and its counters.</summary>
    internal sealed class WindowState
    {
        public long WindowStart = long.MaxValue;
        public long WindowEnd = long.MaxValue;
        public long Received;
        public long Bytes;
        public long Skipped;

        public LatencyHistogram Latency { get; } = new();

        public void OnPayload(ReadOnlySpan<byte> payload)
        {
            long now = Stopwatch.GetTimestamp();
            if (payload.Length < sizeof(long))
            {
                return;
            }

            long sent = BinaryPrimitives.ReadInt64LittleEndian(payload);
            if (sent >= WindowStart && sent < WindowEnd)
            {
                Latency.Record(sent, now);
                Interlocked.Increment(ref Received);
                Interlocked.Add(ref Bytes, payload.Length);
            }
        }
    }

    private sealed class Publisher : IAsyncDisposable
    {
        private readonly SttClient? _client;
        private readonly ChannelPublisher? _channel;
        private readonly ClientWebSocket? _socket;

        private Publisher(SttClient? client, ChannelPublisher? channel, ClientWebSocket? socket)
        {
            _client = client;
            _channel = channel;
            _socket = socket;
        }

        public static async Task<Publisher> SttAsync(Uri node, byte[] seed, CancellationToken ct)
        {
            SttClient client = await SttClient.ConnectAsync(node, seed, ct);
            return new Publisher(client, await client.PublishAsync(Channel, ct), null);
        }

        public static async Task<Publisher> PlainAsync(ChildServer server, CancellationToken ct)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.HttpPort}/pub"), ct);
            return new Publisher(null, null, socket);
        }

        public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) => _channel is not null
            ? _channel.WriteAsync(payload, ct)
            : _socket!.SendAsync(payload, WebSocketMessageType.Binary, endOfMessage: true, ct);

        public async ValueTask DisposeAsync()
        {
            _socket?.Abort();
            _socket?.Dispose();
            if (_client is not null)
            {
                await _client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>N subscribers and their receive loops.</summary>
    private sealed class SubscriberSet : IAsyncDisposable
    {
        private readonly List<Task> _loops = [];
        private readonly List<IAsyncDisposable> _owned = [];
        private readonly List<ClientWebSocket> _sockets = [];

        private readonly List<SttSession> _sessions = [];

        public double MeanSmoothedRttMs()
        {
            SttSession[] sessions = [.. _sessions];
            return sessions.Length == 0 ? double.NaN : sessions.Average(s => s.Statistics.SmoothedRtt.TotalMilliseconds);
        }

        public static async Task<SubscriberSet> PlainAsync(ChildServer server, int count, WindowState state, CancellationToken ct)
        {
            var set = new SubscriberSet();
            var uri = new Uri($"ws://127.0.0.1:{server.HttpPort}/sub");
            using var gate = new SemaphoreSlim(32);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(uri, ct);
                    lock (set)
                    {
                        set._sockets.Add(socket);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
            foreach (ClientWebSocket socket in set._sockets)
            {
                set._loops.Add(Task.Run(() => PlainLoopAsync(socket, state, ct), CancellationToken.None));
            }

            return set;
        }

        public static async Task<SubscriberSet> SttWebSocketAsync(ChildServer server, int count, WindowState state, CancellationToken ct)
        {
            var set = new SubscriberSet();
            var seed = new SharedSeed(server.SharedSeed);
            NodeIdentity identity = RandomIdentity();
            set._owned.Add(new DisposeLater(seed));
            set._owned.Add(new DisposeLater(identity));
            using var gate = new SemaphoreSlim(32);
            var sessions = new List<SttSession>();
            await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    WebSocketSession session = await WebSocketSession.ConnectAsync(server.SttWebSocketUri, identity, seed, null, null, ct);
                    lock (set)
                    {
                        set._owned.Add(session);
                        sessions.Add(session);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
            await set.SubscribeAllAsync(sessions, state, ct);
            return set;
        }

        public static async Task<SubscriberSet> SttUdpAsync(ChildServer server, int count, WindowState state, CancellationToken ct)
        {
            var set = new SubscriberSet();
            List<UdpSession> sessions = await UdpSessions.ConnectAsync(server, count, perSource: 30, set._owned, ct);
            await set.SubscribeAllAsync(sessions, state, ct);
            return set;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (ClientWebSocket socket in _sockets)
            {
                socket.Abort();
                socket.Dispose();
            }

            await Task.WhenAll(_owned.Where(o => o is not DisposeLater).Select(o => o.DisposeAsync().AsTask()))
                .WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (IAsyncDisposable later in _owned.OfType<DisposeLater>())
            {
                await later.DisposeAsync();
            }
        }

        private async Task SubscribeAllAsync(IEnumerable<SttSession> sessions, WindowState state, CancellationToken ct)
        {
            using var gate = new SemaphoreSlim(64);
            List<Task> subscribed = [];
            foreach (SttSession session in sessions)
            {
                _sessions.Add(session);
                var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await gate.WaitAsync(ct);
                _ = ready.Task.ContinueWith(_ => gate.Release(), TaskScheduler.Default);
                _loops.Add(Task.Run(() => SttLoopAsync(session, state, ready, ct), CancellationToken.None));
                subscribed.Add(ready.Task);
            }

            await Task.WhenAll(subscribed);
        }

        private static async Task SttLoopAsync(SttSession session, WindowState state, TaskCompletionSource ready, CancellationToken ct)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            try
            {
                DistributionRequestWriter.Write(buffer, DistributionRequest.Subscribe(Channel, SubscribeOptions.None));
                int stream = await session.OpenStreamAsync(ct);
                await session.WriteMessageAsync(stream, buffer.WrittenMemory, ct);
                session.Finish(stream);
                buffer.ResetWrittenCount();
                int length = await session.ReadMessageAsync(stream, buffer, ct);
                if (length == SttSession.EndOfStream || !ResponseHeader.TryRead(buffer.WrittenSpan, out ResponseHeader header)
                    || header.Status != DistributionStatus.Ok)
                {
                    throw new InvalidOperationException("SUBSCRIBE was refused");
                }

                ready.TrySetResult();
                ulong? previous = null;
                while (true)
                {
                    buffer.ResetWrittenCount();
                    if (await session.ReadMessageAsync(stream, buffer, ct) == SttSession.EndOfStream
                        || !ChannelMessageHeader.TryRead(buffer.WrittenSpan, out ulong sequence, out ReadOnlySpan<byte> payload))
                    {
                        return;
                    }

                    if (previous is { } before && sequence > before + 1)
                    {
                        Interlocked.Add(ref state.Skipped, (long)(sequence - before - 1));
                    }

                    previous = sequence;
                    state.OnPayload(payload);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SessionClosedException or StreamAbortedException)
            {
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"subscriber failed: {ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                ready.TrySetResult();
            }
        }

        private static async Task PlainLoopAsync(ClientWebSocket socket, WindowState state, CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    int length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    state.OnPayload(buffer.AsSpan(0, length));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
        }
    }

    internal static NodeIdentity RandomIdentity()
    {
        Span<byte> seed = stackalloc byte[NodeIdentity.MinimumSeedLength];
        RandomNumberGenerator.Fill(seed);
        return new NodeIdentity(seed);
    }
}

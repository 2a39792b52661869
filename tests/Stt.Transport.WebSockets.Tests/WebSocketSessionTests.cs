using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Stt.Protocol.Encoding;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Xunit;

namespace Stt.Transport.WebSockets.Tests;

public sealed class WebSocketSessionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Handshake_then_messages_both_ways_on_several_streams()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(SessionState.Active, client.State);
        Assert.Equal(host.ServerIdentity.NodeId, client.PeerNodeId);
        Assert.Equal(host.ClientIdentity.NodeId, server.PeerNodeId);
        Assert.Equal(client.SessionId, server.SessionId);
        Assert.Equal("websocket", server.TransportName);
        Assert.NotNull(server.RemoteEndPoint);

        // The server echoes every message it gets, on the same stream, with a prefix.
        Task echo = Task.Run(async () =>
        {
            var tasks = new List<Task>();
            for (int i = 0; i < 3; i++)
            {
                int streamId = await server.AcceptStreamAsync(Ct);
                tasks.Add(Task.Run(async () =>
                {
                    var buffer = new ArrayBufferWriter<byte>();
                    while (true)
                    {
                        buffer.ResetWrittenCount();
                        int length = await server.ReadMessageAsync(streamId, buffer, Ct);
                        if (length == SttSession.EndOfStream)
                        {
                            server.Finish(streamId);
                            return;
                        }

                        await server.WriteMessageAsync(streamId, Encoding.UTF8.GetBytes("echo:" + Encoding.UTF8.GetString(buffer.WrittenSpan)), Ct);
                    }
                }, Ct));
            }

            await Task.WhenAll(tasks);
        }, Ct);

        int[] streams = [client.OpenStream(), await client.OpenStreamAsync(Ct), client.OpenStream()];
        foreach (int streamId in streams)
        {
            for (int m = 0; m < 5; m++)
            {
                Assert.True(client.TryWriteMessage(streamId, Encoding.UTF8.GetBytes($"s{streamId}m{m}")));
            }

            client.Finish(streamId);
        }

        foreach (int streamId in streams)
        {
            var buffer = new ArrayBufferWriter<byte>();
            for (int m = 0; m < 5; m++)
            {
                buffer.ResetWrittenCount();
                int length = await client.ReadMessageAsync(streamId, buffer, Ct).AsTask().WaitAsync(Bound, Ct);
                Assert.Equal($"echo:s{streamId}m{m}", Encoding.UTF8.GetString(buffer.WrittenSpan));
                Assert.Equal(buffer.WrittenCount, length);
            }

            buffer.ResetWrittenCount();
            Assert.Equal(SttSession.EndOfStream, await client.ReadMessageAsync(streamId, buffer, Ct).AsTask().WaitAsync(Bound, Ct));
        }

        await echo.WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Twenty_megabytes_arrive_intact()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);

        const int total = 20 * 1024 * 1024;
        const int chunk = 64 * 1024;
        var data = new byte[total];
        new Random(42).NextBytes(data);
        byte[] expected = SHA256.HashData(data);

        Task<byte[]> reader = Task.Run(async () =>
        {
            int streamId = await server.AcceptStreamAsync(Ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new ArrayBufferWriter<byte>(chunk);
            long received = 0;
            while (true)
            {
                buffer.ResetWrittenCount();
                int length = await server.ReadMessageAsync(streamId, buffer, Ct);
                if (length == SttSession.EndOfStream)
                {
                    break;
                }

                hash.AppendData(buffer.WrittenSpan);
                received += length;
            }

            Assert.Equal(total, received);
            return hash.GetHashAndReset();
        }, Ct);

        int stream = client.OpenStream();
        for (int offset = 0; offset < total; offset += chunk)
        {
            // Half the chunks through the non-blocking path a fan-out pump uses, half through the awaitable one.
            if ((offset / chunk) % 2 == 0)
            {
                while (!client.TryWriteMessage(stream, data.AsSpan(offset, chunk)))
                {
                    await client.WaitWritableAsync(stream, Ct).AsTask().WaitAsync(Bound, Ct);
                }
            }
            else
            {
                await client.WriteMessageAsync(stream, data.AsMemory(offset, chunk), Ct).AsTask().WaitAsync(Bound, Ct);
            }
        }

        client.Finish(stream);
        Assert.Equal(expected, await reader.WaitAsync(TimeSpan.FromSeconds(60), Ct));
    }

    [Fact]
    public async Task Wrong_seed_yields_no_session_on_either_side()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        using var wrongSeed = new SharedSeed(Enumerable.Repeat((byte)0x55, 32).ToArray());

        await Assert.ThrowsAsync<SessionClosedException>(() => WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, wrongSeed, ct: Ct).WaitAsync(Bound, Ct));
        Exception failure = await host.Failures.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        Assert.IsType<SessionClosedException>(failure);
        Assert.False(host.Sessions.Reader.TryRead(out _));

        // The server closed the WebSocket with PolicyViolation and sent no STT bytes.
        using var raw = new ClientWebSocket();
        await raw.ConnectAsync(host.Uri, Ct);
        using var session = Session.Connect(host.ClientIdentity, wrongSeed);
        byte[] frame = new byte[4096];
        int length = session.WriteNextFrame(frame);
        await raw.SendAsync(frame.AsMemory(0, length), WebSocketMessageType.Binary, true, Ct);
        ValueWebSocketReceiveResult result = await raw.ReceiveAsync(frame.AsMemory(), Ct).AsTask().WaitAsync(Bound, Ct);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, raw.CloseStatus);
    }

    [Fact]
    public async Task Garbage_binary_messages_are_dropped_and_the_session_goes_on()
    {
        using var drops = new DropCounter();
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using RawPeer peer = await RawPeer.ConnectAsync(host, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);

        var random = new Random(7);
        for (int i = 0; i < 20; i++)
        {
            byte[] garbage = new byte[1 + random.Next(2000)];
            random.NextBytes(garbage);
            await peer.Socket.SendAsync(garbage, WebSocketMessageType.Binary, true, Ct);
        }

        // A valid message after the garbage still arrives.
        int stream = peer.OpenStreamAndWrite("after garbage"u8);
        await peer.FlushAsync(Ct);
        int accepted = await server.AcceptStreamAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        Assert.Equal(stream, accepted);
        var buffer = new ArrayBufferWriter<byte>();
        await server.ReadMessageAsync(accepted, buffer, Ct).AsTask().WaitAsync(Bound, Ct);
        Assert.Equal("after garbage"u8.ToArray(), buffer.WrittenSpan.ToArray());
        Assert.Equal(SessionState.Active, server.State);
        Assert.True(drops.Count >= 20, $"{drops.Count} drops counted");
    }

    [Theory]
    [InlineData(false, WebSocketCloseStatus.InvalidMessageType)]
    [InlineData(true, WebSocketCloseStatus.MessageTooBig)]
    public async Task Text_or_oversize_message_closes_the_websocket_and_the_session(bool oversize, WebSocketCloseStatus expected)
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using RawPeer peer = await RawPeer.ConnectAsync(host, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);

        if (oversize)
        {
            await peer.Socket.SendAsync(new byte[host.Options.MaxFrameSize + 1], WebSocketMessageType.Binary, true, Ct);
        }
        else
        {
            await peer.Socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, Ct);
        }

        await server.Completion.WaitAsync(Bound, Ct);
        await Assert.ThrowsAsync<SessionClosedException>(() => server.AcceptStreamAsync(Ct).AsTask());
        Assert.Equal(expected, await peer.ReadCloseStatusAsync(Ct).WaitAsync(Bound, Ct));
        await server.TransportCompletion.WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Peer_vanishing_closes_the_other_side()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        WebSocket raw = await host.RawSockets.Reader.ReadAsync(Ct);
        int stream = client.OpenStream();
        ValueTask<int> pendingRead = client.ReadMessageAsync(stream, new ArrayBufferWriter<byte>(), Ct);

        raw.Abort();

        await client.Completion.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        await Assert.ThrowsAsync<SessionClosedException>(() => pendingRead.AsTask().WaitAsync(Bound, Ct));
        await client.TransportCompletion.WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Graceful_close_closes_both_sides()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);

        await client.CloseAsync(cancellationToken: Ct).WaitAsync(Bound, Ct);
        await server.Completion.WaitAsync(Bound, Ct);
        Assert.Equal(SessionState.Closed, client.State);
        Assert.Equal(SessionState.Closed, server.State);
        await Assert.ThrowsAsync<SessionClosedException>(() => server.AcceptStreamAsync(Ct).AsTask());
        await client.TransportCompletion.WaitAsync(Bound, Ct);
        await server.TransportCompletion.WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Hundred_concurrent_sessions()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        WebSocketSession[] clients = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var servers = new Dictionary<ulong, WebSocketSession>();
        for (int i = 0; i < 100; i++)
        {
            WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);
            servers.Add(server.SessionId, server);
        }

        await Task.WhenAll(clients.Select(async client =>
        {
            int stream = client.OpenStream();
            await client.WriteMessageAsync(stream, BitConverter.GetBytes(client.SessionId), Ct);
            WebSocketSession server = servers[client.SessionId];
            int accepted = await server.AcceptStreamAsync(Ct);
            var buffer = new ArrayBufferWriter<byte>();
            await server.ReadMessageAsync(accepted, buffer, Ct);
            Assert.Equal(client.SessionId, BitConverter.ToUInt64(buffer.WrittenSpan));
        })).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        await Task.WhenAll(clients.Select(c => c.CloseAsync(cancellationToken: Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await Task.WhenAll(servers.Values.Select(s => s.Completion)).WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Send_queue_overflow_drops_frames_that_recovery_resends()
    {
        using var drops = new DropCounter("send_queue_full");
        using var queued = new SendQueueGauge();
        var options = new WebSocketTransportOptions { MaxFrameSize = 1024, SendQueueLimitBytes = 2048 };
        await using WebSocketHost host = await WebSocketHost.StartAsync(options);
        await using WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, options, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);

        // One write queues far more frames than the 2 KiB queue holds before the send loop runs.
        byte[] message = new byte[200 * 1024];
        new Random(3).NextBytes(message);
        int stream = client.OpenStream();
        await client.WriteMessageAsync(stream, message, Ct).AsTask().WaitAsync(Bound, Ct);

        int accepted = await server.AcceptStreamAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        var buffer = new ArrayBufferWriter<byte>();
        await server.ReadMessageAsync(accepted, buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(message, buffer.WrittenSpan.ToArray());
        Assert.True(drops.Count > 0, "no frame was dropped for a full send queue");
        Assert.True(client.Statistics.FramesRetransmitted > 0, "the dropped frames were not resent");

        // The gauge saw the queue fill to its bound, never past it, and empty again.
        Assert.InRange(queued.Peak, 1, 2 * 2048);
        await Eventually(() => queued.Current == 0);
        Assert.Equal(0, queued.Current);
    }

    [Fact]
    public async Task Deferred_writes_share_frames_and_leave_only_on_Flush()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        int stream = client.OpenStream();
        long framesBefore = client.Statistics.FramesSent;

        // Ten 1 KiB messages written without flushing: nothing leaves until Flush, then they share one 16 KiB frame.
        for (int m = 0; m < 10; m++)
        {
            byte[] message = new byte[1024];
            message.AsSpan().Fill((byte)m);
            Assert.True(client.TryWriteMessage(stream, message, flush: false));
        }

        Assert.Equal(framesBefore, client.Statistics.FramesSent);
        client.Flush();
        Assert.Equal(framesBefore + 1, client.Statistics.FramesSent);

        int accepted = await server.AcceptStreamAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        var buffer = new ArrayBufferWriter<byte>();
        for (int m = 0; m < 10; m++)
        {
            buffer.ResetWrittenCount();
            Assert.Equal(1024, await server.ReadMessageAsync(accepted, buffer, Ct).AsTask().WaitAsync(Bound, Ct));
            Assert.All(buffer.WrittenSpan.ToArray(), b => Assert.Equal((byte)m, b));
        }
    }

    [Fact]
    public async Task A_receiver_acknowledges_every_10_frames_not_every_second_one()
    {
        await using WebSocketHost host = await WebSocketHost.StartAsync();
        await using WebSocketSession client = await WebSocketSession.ConnectAsync(host.Uri, host.ClientIdentity, host.Seed, ct: Ct).WaitAsync(Bound, Ct);
        WebSocketSession server = await host.Sessions.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        int stream = client.OpenStream();
        long framesBefore = client.Statistics.FramesSent;
        long serverFramesBefore = server.Statistics.FramesSent;

        // Six bursts of ten frames (each message flushed alone), each read before the next: over UDP (an ACK every
        // second frame) that is 30 ACKs; over WebSocket one per burst, a few more if a burst straddles the 25 ms delay.
        int accepted = -1;
        var buffer = new ArrayBufferWriter<byte>();
        for (int burst = 0; burst < 6; burst++)
        {
            for (int m = 0; m < 10; m++)
            {
                Assert.True(client.TryWriteMessage(stream, new byte[100]));
            }

            if (accepted < 0)
            {
                accepted = await server.AcceptStreamAsync(Ct).AsTask().WaitAsync(Bound, Ct);
            }

            for (int m = 0; m < 10; m++)
            {
                buffer.ResetWrittenCount();
                await server.ReadMessageAsync(accepted, buffer, Ct).AsTask().WaitAsync(Bound, Ct);
            }
        }

        await Task.Delay(100, Ct);
        Assert.True(client.Statistics.FramesSent - framesBefore >= 60);
        Assert.InRange(server.Statistics.FramesSent - serverFramesBefore, 1, 15);
        Assert.Equal(0, client.Statistics.FramesRetransmitted);
    }

    [Fact]
    public async Task Connect_to_a_closed_port_throws_WebSocketException()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var identity = new NodeIdentity(Enumerable.Repeat((byte)0xA1, 32).ToArray());
        using var seed = new SharedSeed(WebSocketHost.SeedBytes);
        await Assert.ThrowsAsync<WebSocketException>(() => WebSocketSession.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/stt"), identity, seed, ct: Ct).WaitAsync(Bound, Ct));
    }

    /// <summary>Counts <c>stt.websocket.frames.dropped</c>.</summary>
    private static async Task Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>The sum of the send-queue gauge's changes since creation (sessions of this test only: tests run one at a time).</summary>
    private sealed class SendQueueGauge : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _current;
        private long _peak;

        public SendQueueGauge()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Stt.Transport.WebSockets" && instrument.Name == "stt.websocket.send_queue.bytes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                long now = Interlocked.Add(ref _current, value);
                long peak;
                while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
                {
                }
            });
            _listener.Start();
        }

        public long Current => Interlocked.Read(ref _current);

        public long Peak => Interlocked.Read(ref _peak);

        public void Dispose() => _listener.Dispose();
    }

    private sealed class DropCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public DropCounter(string? reason = null)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Stt.Transport.WebSockets" && instrument.Name == "stt.websocket.frames.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (reason is null || (tag.Key == "reason" && (string?)tag.Value == reason))
                    {
                        Interlocked.Add(ref _count, value);
                        return;
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>A client that drives the sans-I/O session itself over a raw ClientWebSocket, so it can also send anything.</summary>
    private sealed class RawPeer : IAsyncDisposable
    {
        private readonly Session _session;
        private readonly byte[] _frame = new byte[16384];

        private RawPeer(ClientWebSocket socket, Session session)
        {
            Socket = socket;
            _session = session;
        }

        public ClientWebSocket Socket { get; }

        public static async Task<RawPeer> ConnectAsync(WebSocketHost host, CancellationToken ct)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(host.Uri, ct);
            var options = SessionOptions.Default with { MaxFrameBodyLength = host.Options.MaxFrameSize - FrameHeader.MaxSize };
            var peer = new RawPeer(socket, Session.Connect(host.ClientIdentity, host.Seed, options));
            byte[] incoming = new byte[host.Options.MaxFrameSize];
            for (int round = 0; round < 10 && peer._session.State != SessionState.Active; round++)
            {
                await peer.FlushAsync(ct);
                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(incoming.AsMemory(), ct).AsTask().WaitAsync(Bound, ct);
                Assert.True(result.EndOfMessage);
                peer._session.Receive(incoming.AsSpan(0, result.Count));
            }

            Assert.Equal(SessionState.Active, peer._session.State);
            await peer.FlushAsync(ct);
            return peer;
        }

        public int OpenStreamAndWrite(ReadOnlySpan<byte> message)
        {
            Assert.True(_session.TryOpenStream(out int streamId));
            Assert.Equal(Stt.Protocol.Streams.StreamWriteStatus.Success, _session.WriteMessage(streamId, message));
            return streamId;
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            int length;
            while ((length = _session.WriteNextFrame(_frame)) > 0)
            {
                await Socket.SendAsync(_frame.AsMemory(0, length), WebSocketMessageType.Binary, true, ct);
            }
        }

        /// <summary>Reads (and ignores) messages until the server's close arrives; returns its status.</summary>
        public async Task<WebSocketCloseStatus?> ReadCloseStatusAsync(CancellationToken ct)
        {
            byte[] buffer = new byte[70000];
            for (int i = 0; i < 1000; i++)
            {
                ValueWebSocketReceiveResult result = await Socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return Socket.CloseStatus;
                }
            }

            return null;
        }

        public ValueTask DisposeAsync()
        {
            Socket.Dispose();
            _session.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

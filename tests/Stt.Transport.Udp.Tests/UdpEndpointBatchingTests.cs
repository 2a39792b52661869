using System.Buffers;
using System.Buffers.Binary;
using Xunit;

namespace Stt.Transport.Udp.Tests;

/// <summary>Sends batched with sendmmsg and receives batched with recvmmsg (64-bit Linux), against the one-by-one path.</summary>
public class UdpEndpointBatchingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Streams_BatchedOrNot_ByteExact(bool batch)
    {
        await using var peers = new TestPeers();
        UdpTransportOptions options = TestPeers.Options() with { BatchSends = batch };
        UdpEndpoint server = peers.Server(options);
        UdpEndpoint client = peers.Client(options);
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(60));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;

        StreamTransfer.Result result = await StreamTransfer.RunAsync(outbound, inbound, 2, 4L << 20, ct);

        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(4L << 20, result.ReceivedBytes[i]);
            Assert.Equal(result.SentHashes[i], result.ReceivedHashes[i]);
        }
    }

    [Fact]
    public async Task Server_echoing_to_many_sessions_at_once_delivers_every_message_in_order()
    {
        // 6 client endpoints (6 addresses) x 5 sessions; the server echoes each of 100 messages per session, so its
        // batches mix destinations while every session's datagrams must keep their order.
        const int Endpoints = 6;
        const int SessionsPerEndpoint = 5;
        const int Messages = 100;
        await using var peers = new TestPeers();
        using var metrics = new MetricsCapture();
        UdpEndpoint server = peers.Server();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(60));

        Task serverLoop = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (int s = 0; s < Endpoints * SessionsPerEndpoint; s++)
            {
                UdpSession session = await server.AcceptAsync(ct);
                echoes.Add(Task.Run(async () =>
                {
                    int stream = await session.AcceptStreamAsync(ct);
                    var buffer = new ArrayBufferWriter<byte>();
                    for (int m = 0; m < Messages; m++)
                    {
                        buffer.ResetWrittenCount();
                        await session.ReadMessageAsync(stream, buffer, ct);
                        await session.WriteMessageAsync(stream, buffer.WrittenMemory, ct);
                    }
                }, ct));
            }

            await Task.WhenAll(echoes);
        }, ct);

        var clients = new List<Task>();
        for (int e = 0; e < Endpoints; e++)
        {
            UdpEndpoint endpoint = peers.Client();
            for (int s = 0; s < SessionsPerEndpoint; s++)
            {
                int tag = (e * SessionsPerEndpoint) + s;
                clients.Add(Task.Run(async () =>
                {
                    UdpSession session = await endpoint.ConnectAsync(server.LocalEndPoint, ct);
                    int stream = session.OpenStream();
                    var message = new byte[700];
                    Task reader = Task.Run(async () =>
                    {
                        var buffer = new ArrayBufferWriter<byte>();
                        for (int m = 0; m < Messages; m++)
                        {
                            buffer.ResetWrittenCount();
                            Assert.Equal(message.Length, await session.ReadMessageAsync(stream, buffer, ct));
                            Assert.Equal(tag, BinaryPrimitives.ReadInt32LittleEndian(buffer.WrittenSpan));
                            Assert.Equal(m, BinaryPrimitives.ReadInt32LittleEndian(buffer.WrittenSpan[4..]));
                        }
                    }, ct);

                    for (int m = 0; m < Messages; m++)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(message, tag);
                        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), m);
                        await session.WriteMessageAsync(stream, message, ct);
                    }

                    await reader;
                }, ct));
            }
        }

        await Task.WhenAll(clients).WaitAsync(ct);
        await serverLoop.WaitAsync(ct);
        Assert.Equal(0, metrics.Get("stt.udp.datagrams.dropped", "reason=send-error"));
    }

    [Fact]
    public async Task A_cancelled_read_throws_and_the_next_read_still_gets_the_message()
    {
        await using var peers = new TestPeers();
        UdpEndpoint server = peers.Server();
        UdpEndpoint client = peers.Client();
        CancellationToken ct = TestPeers.Timeout(TimeSpan.FromSeconds(30));
        Task<UdpSession> accept = server.AcceptAsync(ct).AsTask();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint, ct);
        UdpSession inbound = await accept;
        int stream = outbound.OpenStream();
        await outbound.WriteMessageAsync(stream, "first"u8.ToArray(), ct);
        int accepted = await inbound.AcceptStreamAsync(ct);
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Equal(5, await inbound.ReadMessageAsync(accepted, buffer, ct));

        // A read waiting on an empty stream is cancelled; the stream's signal must serve the next waits as before.
        for (int round = 0; round < 3; round++)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            ValueTask<int> waiting = inbound.ReadMessageAsync(accepted, buffer, cancel.Token);
            await Task.Delay(50, ct);
            Assert.False(waiting.IsCompleted);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);

            buffer.ResetWrittenCount();
            Task<int> next = inbound.ReadMessageAsync(accepted, buffer, ct).AsTask();
            await outbound.WriteMessageAsync(stream, "again"u8.ToArray(), ct);
            Assert.Equal(5, await next.WaitAsync(ct));
            Assert.Equal("again"u8.ToArray(), buffer.WrittenSpan.ToArray());
        }
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Stt.Protocol.Distribution;
using Stt.Protocol.Identity;
using Stt.Transport;
using Stt.Transport.Udp;

namespace Stt.Client.Tests;

/// <summary>One stream of a <see cref="TestNode"/>, with helpers to answer it in the distribution protocol.</summary>
public sealed class NodeStream(SttSession session, int streamId, DistributionRequest request)
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public SttSession Session { get; } = session;

    public int StreamId { get; } = streamId;

    public DistributionRequest Request { get; } = request;

    public ValueTask RawAsync(byte[] message, CancellationToken ct = default) => Session.WriteMessageAsync(StreamId, message, ct);

    public ValueTask OkAsync(CancellationToken ct = default) => HeaderAsync(DistributionStatus.Ok, "", ct);

    public ValueTask HeaderAsync(DistributionStatus status, string text, CancellationToken ct = default)
    {
        var writer = new ArrayBufferWriter<byte>();
        ResponseHeader.Write(writer, status, text);
        return Session.WriteMessageAsync(StreamId, writer.WrittenMemory, ct);
    }

    public async Task RefuseAsync(DistributionStatus status, string text, CancellationToken ct = default)
    {
        await HeaderAsync(status, text, ct);
        Session.Finish(StreamId);
    }

    public ValueTask DataAsync(ReadOnlySpan<byte> body, CancellationToken ct = default)
    {
        byte[] message = new byte[1 + body.Length];
        message[0] = (byte)ServerMessageTag.Data;
        body.CopyTo(message.AsSpan(1));
        return Session.WriteMessageAsync(StreamId, message, ct);
    }

    public async Task EndAsync(CancellationToken ct = default)
    {
        await Session.WriteMessageAsync(StreamId, new byte[] { (byte)ServerMessageTag.End }, ct);
        Session.Finish(StreamId);
    }

    public async Task ErrorAsync(DistributionStatus status, string text, CancellationToken ct = default)
    {
        var writer = new ArrayBufferWriter<byte>();
        ServerMessage.WriteError(writer, status, text);
        await Session.WriteMessageAsync(StreamId, writer.WrittenMemory, ct);
        Session.Finish(StreamId);
    }

    /// <summary>The next client message, or null at the client's FIN.</summary>
    public async Task<byte[]?> ReadAsync(CancellationToken ct = default)
    {
        _buffer.ResetWrittenCount();
        int length = await Session.ReadMessageAsync(StreamId, _buffer, ct);
        return length == SttSession.EndOfStream ? null : _buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// A tiny distribution "node" on 127.0.0.1: a UdpEndpoint that accepts sessions, reads each stream's request with the
/// codecs, and hands it to <see cref="Handler"/>. Also serves any <see cref="SttSession"/> given to <see cref="Serve"/>.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    public static readonly byte[] SeedBytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 5 + 1)).ToArray();

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<SttSession> _sessions = new();

    public TestNode(Func<NodeStream, Task> handler)
    {
        Handler = handler;
        Endpoint = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), Identity, Seed);
        _acceptLoop = AcceptLoopAsync();
    }

    public NodeIdentity Identity { get; } = new(Enumerable.Repeat((byte)0x5A, 32).ToArray());

    public SharedSeed Seed { get; } = new(SeedBytes);

    public UdpEndpoint Endpoint { get; }

    public Func<NodeStream, Task> Handler { get; set; }

    /// <summary>Exceptions the handlers threw.</summary>
    public ConcurrentQueue<Exception> Failures { get; } = new();

    public Uri Uri => new($"stt+udp://127.0.0.1:{((IPEndPoint)Endpoint.LocalEndPoint).Port}");

    public SttClientOptions ClientOptions() => new() { SharedSeed = Seed };

    public void Serve(SttSession session)
    {
        _sessions.Add(session);
        _ = ServeSessionAsync(session);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (SttSession session in _sessions)
        {
            await session.DisposeAsync();
        }

        await Endpoint.DisposeAsync();
        Identity.Dispose();
        Seed.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpSession session = await Endpoint.AcceptAsync(_stop.Token);
            Serve(session);
        }
    }

    private async Task ServeSessionAsync(SttSession session)
    {
        try
        {
            while (true)
            {
                int streamId = await session.AcceptStreamAsync(_stop.Token);
                _ = ServeStreamAsync(session, streamId);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SessionClosedException)
        {
        }
    }

    private async Task ServeStreamAsync(SttSession session, int streamId)
    {
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            int length = await session.ReadMessageAsync(streamId, buffer, _stop.Token);
            if (length == SttSession.EndOfStream)
            {
                session.Finish(streamId);
                return;
            }

            if (!DistributionRequestReader.TryRead(buffer.WrittenSpan, out DistributionRequest request, out DistributionStatus error))
            {
                await new NodeStream(session, streamId, default).RefuseAsync(error, "bad request");
                return;
            }

            await Handler(new NodeStream(session, streamId, request));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failures.Enqueue(ex);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

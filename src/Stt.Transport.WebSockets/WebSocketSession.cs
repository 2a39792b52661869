using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Stt.Protocol;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Stt.Transport.Timing;
using Stt.Transport.WebSockets.Internal;

namespace Stt.Transport.WebSockets;

/// <summary>
/// One STT session carried by a <see cref="WebSocket"/>: the <see cref="SttSession"/> stream API, one binary WebSocket
/// message per frame in both directions (docs/protocol.md, section 16).
/// </summary>
/// <remarks>
/// Thread-safe. Frames the session produces are copied into pooled buffers and queued for one send loop per session
/// (a WebSocket allows one send at a time); a receive loop feeds every binary message to the session. Neither loop
/// holds a buffer while the connection is idle. Once the session is closed the WebSocket is closed (NormalClosure,
/// or the code of the transport error) and disposed.
/// </remarks>
public sealed partial class WebSocketSession : SttSession
{
    /// <summary>
    /// The buffers of frames waiting for a send loop. A fan-out keeps one or more frames queued for each of thousands of
    /// sessions at once, far more than the shared pool keeps per core, which then allocates a new array per frame; this
    /// pool keeps up to 1,024 arrays per size class instead (about 2 MiB for the 2 KiB class of 1 KiB messages).
    /// </summary>
    private static readonly ArrayPool<byte> QueuedFramePool = ArrayPool<byte>.Create(WebSocketTransportOptions.MaxFrameSizeLimit, 1024);

    private readonly WebSocket _socket;
    private readonly EndPoint? _remote;
    private readonly int _maxFrameSize;
    private readonly int _sendQueueLimit;
    private readonly Channel<QueuedFrame> _sendQueue = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
    });
    private readonly CancellationTokenSource _abort = new();
    private readonly TimerQueue _timers;
    private readonly bool _ownsTimers;
    private readonly CancellationTokenSource? _timerStop;
    private Task _timerTask = Task.CompletedTask;
    private Task _receiveTask = Task.CompletedTask;
    private Task _sendTask = Task.CompletedTask;
    private long _queuedBytes;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;

    private WebSocketSession(WebSocket socket, Session session, TimerQueue timers, bool ownsTimers, EndPoint? remote, WebSocketTransportOptions options, SessionOptions sessionOptions)
        : base(session, timers, options.MaxFrameSize, sessionOptions)
    {
        _socket = socket;
        _remote = remote;
        _timers = timers;
        _ownsTimers = ownsTimers;
        _maxFrameSize = options.MaxFrameSize;
        _sendQueueLimit = options.SendQueueLimitBytes;
        if (ownsTimers)
        {
            _timerStop = new CancellationTokenSource();
        }
    }

    /// <inheritdoc/>
    public override string TransportName => "websocket";

    /// <summary>The peer's address as given when the session was created: the URI's host and port, or the accepted connection's address.</summary>
    public override EndPoint? RemoteEndPoint => _remote;

    /// <summary>
    /// Completes once the WebSocket is closed and disposed, shortly after <see cref="SttSession.Completion"/>. A server's
    /// request handler awaits it before returning, so the connection outlives the close handshake. Never faults.
    /// </summary>
    public Task TransportCompletion => _sendTask;

    /// <summary>
    /// Connects a <see cref="ClientWebSocket"/> to <paramref name="uri"/> and opens an STT session over it as the initiator.
    /// </summary>
    /// <param name="uri">The <c>ws://</c> or <c>wss://</c> address of the node.</param>
    /// <param name="identity">This node's identity; the caller keeps ownership.</param>
    /// <param name="seed">The seed shared with the peer; the caller keeps ownership.</param>
    /// <param name="options">Transport settings; <see cref="WebSocketTransportOptions.Default"/> when null.</param>
    /// <param name="time">The clock of the session and of its own timer loop; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="ct">Abandons the connection and the handshake.</param>
    /// <returns>The established session.</returns>
    /// <exception cref="SessionClosedException">The handshake failed, timed out (<see cref="WebSocketTransportOptions.HandshakeTimeout"/>),
    /// or the peer closed the WebSocket first (a refused HELLO closes it with PolicyViolation).</exception>
    /// <exception cref="WebSocketException">The WebSocket connection could not be made.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired.</exception>
    public static async Task<WebSocketSession> ConnectAsync(
        Uri uri,
        NodeIdentity identity,
        SharedSeed seed,
        WebSocketTransportOptions? options = null,
        TimeProvider? time = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(seed);
        options ??= WebSocketTransportOptions.Default;
        options.Validate();
        time ??= TimeProvider.System;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.HandshakeTimeout);

        var client = new ClientWebSocket();
        try
        {
            await client.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            client.Dispose();
            WebSocketMetrics.Handshake(WebSocketMetrics.Initiator, WebSocketMetrics.Timeout);
            throw new SessionClosedException(ProtocolErrorCode.HandshakeTimeout, false, "The WebSocket connection was not made within the handshake timeout.");
        }
        catch
        {
            client.Dispose();
            throw;
        }

        SessionOptions sessionOptions = options.FrameSessionOptions;
        Session protocol = Session.Connect(identity, seed, sessionOptions, time);
        var timers = new TimerQueue(time);
        var session = new WebSocketSession(client, protocol, timers, ownsTimers: true, new DnsEndPoint(uri.Host, uri.Port), options, sessionOptions);
        session.Start();
        await session.AwaitEstablishedAsync(WebSocketMetrics.Initiator, timeout.Token, ct).ConfigureAwait(false);
        return session;
    }

    /// <summary>
    /// Opens an STT session as the responder over an accepted server-side WebSocket: reads the HELLO as the first
    /// message, answers it, and completes once the initiator's AUTH_PROOF is verified.
    /// </summary>
    /// <param name="socket">The open WebSocket, e.g. from <c>HttpContext.WebSockets.AcceptWebSocketAsync()</c>; the session takes ownership.</param>
    /// <param name="identity">This node's identity; the caller keeps ownership.</param>
    /// <param name="seed">The seed shared with peers; the caller keeps ownership.</param>
    /// <param name="replayCache">The node-wide cache of recent HELLO ephemeral keys.</param>
    /// <param name="options">Transport settings.</param>
    /// <param name="timers">The host's shared timer queue; its loop must be running, and its clock is the session's.</param>
    /// <param name="remote">The client's address, reported by <see cref="RemoteEndPoint"/>; may be null.</param>
    /// <param name="ct">Abandons the handshake.</param>
    /// <returns>The established session.</returns>
    /// <exception cref="SessionClosedException">No HELLO arrived within <see cref="WebSocketTransportOptions.HandshakeTimeout"/>;
    /// the first message was not a valid, authenticated HELLO (the WebSocket is then closed with PolicyViolation and no STT
    /// bytes are sent; a text message closes it with InvalidMessageType, an oversize one with MessageTooBig); or the
    /// handshake failed afterwards. The WebSocket is disposed in every such case.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired; the WebSocket is disposed.</exception>
    public static async Task<WebSocketSession> AcceptAsync(
        WebSocket socket,
        NodeIdentity identity,
        SharedSeed seed,
        HelloReplayCache replayCache,
        WebSocketTransportOptions options,
        TimerQueue timers,
        EndPoint? remote,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(replayCache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timers);
        options.Validate();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.HandshakeTimeout);

        SessionOptions sessionOptions = options.FrameSessionOptions;
        Session? protocol;
        IncomingMessage hello = default;
        try
        {
            hello = await ReceiveMessageAsync(socket, options.MaxFrameSize, timeout.Token).ConfigureAwait(false);
            string? refusal = hello.Kind switch
            {
                MessageKind.Binary => null,
                MessageKind.Text => WebSocketMetrics.TextMessage,
                MessageKind.TooLarge => WebSocketMetrics.TooLarge,
                _ => WebSocketMetrics.Abandoned,
            };
            HandshakeStatus status = HandshakeStatus.BadFrame;
            protocol = refusal is null
                ? Session.Accept(hello.Span, identity, seed, replayCache, out status, sessionOptions, timers.TimeProvider)
                : null;
            if (protocol is null)
            {
                refusal ??= WebSocketMetrics.For(status);
                if (hello.Kind != MessageKind.Closed)
                {
                    WebSocketMetrics.Dropped(refusal == WebSocketMetrics.Rejected ? WebSocketMetrics.Unexpected : refusal);
                }

                WebSocketMetrics.Handshake(WebSocketMetrics.Responder, WebSocketMetrics.Rejected);
                WebSocketCloseStatus closeStatus = hello.Kind switch
                {
                    MessageKind.Text => WebSocketCloseStatus.InvalidMessageType,
                    MessageKind.TooLarge => WebSocketCloseStatus.MessageTooBig,
                    _ => WebSocketCloseStatus.PolicyViolation,
                };
                await CloseAndDisposeAsync(socket, closeStatus, options.HandshakeTimeout).ConfigureAwait(false);
                throw new SessionClosedException(
                    ProtocolErrorCode.ProtocolViolation,
                    hello.Kind == MessageKind.Closed,
                    hello.Kind == MessageKind.Closed
                        ? "The peer closed the WebSocket before sending a HELLO."
                        : $"The first WebSocket message was not an acceptable HELLO ({refusal}).");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            WebSocketMetrics.Handshake(WebSocketMetrics.Responder, WebSocketMetrics.Timeout);
            socket.Abort();
            socket.Dispose();
            throw new SessionClosedException(ProtocolErrorCode.HandshakeTimeout, false, "No HELLO arrived within the handshake timeout.");
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
            socket.Dispose();
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new SessionClosedException(ProtocolErrorCode.NoError, true, $"The WebSocket failed before a HELLO arrived: {ex.Message}");
        }
        finally
        {
            hello.Return();
        }

        var session = new WebSocketSession(socket, protocol, timers, ownsTimers: false, remote, options, sessionOptions);
        session.Start();
        await session.AwaitEstablishedAsync(WebSocketMetrics.Responder, timeout.Token, ct).ConfigureAwait(false);
        return session;
    }

    /// <summary>Queues one frame for the send loop, or drops it (counted) when the queue is over its limit.</summary>
    protected override void SendFrameLocked(ReadOnlySpan<byte> frame)
    {
        if (Volatile.Read(ref _queuedBytes) + frame.Length > _sendQueueLimit)
        {
            // Behaves as a lost datagram: loss recovery resends the frame's content and congestion control backs off.
            WebSocketMetrics.Dropped(WebSocketMetrics.SendQueueFull);
            return;
        }

        byte[] buffer = QueuedFramePool.Rent(frame.Length);
        frame.CopyTo(buffer);
        Interlocked.Add(ref _queuedBytes, frame.Length);
        if (!_sendQueue.Writer.TryWrite(new QueuedFrame(buffer, frame.Length)))
        {
            Interlocked.Add(ref _queuedBytes, -frame.Length);
            QueuedFramePool.Return(buffer);
            return;
        }

        WebSocketMetrics.SendQueueBytes.Add(frame.Length);
    }

    /// <summary>Counts the session; a responder's address needs no validation, TCP did it.</summary>
    protected override void OnEstablishedLocked()
    {
        WebSocketMetrics.SessionsActive.Add(1);
        WebSocketMetrics.Handshake(Role == SessionRole.Initiator ? WebSocketMetrics.Initiator : WebSocketMetrics.Responder, WebSocketMetrics.Completed);
    }

    /// <summary>Lets the send loop drain what is queued, then close the WebSocket.</summary>
    protected override void OnClosedLocked()
    {
        if (WasEstablished)
        {
            WebSocketMetrics.SessionsActive.Add(-1);
        }

        _sendQueue.Writer.TryComplete();
    }

    private static async Task CloseAndDisposeAsync(WebSocket socket, WebSocketCloseStatus status, TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, null, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone already; disposing is all that is left.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private void Start()
    {
        if (_ownsTimers)
        {
            _timerTask = _timers.RunAsync(_timerStop!.Token);
        }

        _receiveTask = ReceiveLoopAsync();
        _sendTask = SendLoopAsync();
        lock (SyncRoot)
        {
            PumpLocked();
        }
    }

    private async Task AwaitEstablishedAsync(string role, CancellationToken timeout, CancellationToken ct)
    {
        try
        {
            await EstablishedTask.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SessionClosedException)
        {
            SessionClosedException? closed = ex as SessionClosedException;
            lock (SyncRoot)
            {
                if (closed is null && !ct.IsCancellationRequested)
                {
                    Protocol.Close(ProtocolErrorCode.HandshakeTimeout);
                    closed = CreateClosedExceptionLocked();
                }

                Protocol.Close(ProtocolErrorCode.NoError);
                PumpLocked();
                WebSocketMetrics.Handshake(role, closed?.CloseCode == ProtocolErrorCode.HandshakeTimeout ? WebSocketMetrics.Timeout : WebSocketMetrics.Abandoned);
            }

            try
            {
                await TransportCompletion.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The teardown still finishes in the background; the caller learns why the handshake failed now.
            }

            if (closed is null)
            {
                throw;
            }

            throw closed;
        }
    }

    private readonly record struct QueuedFrame(byte[] Buffer, int Length);
}

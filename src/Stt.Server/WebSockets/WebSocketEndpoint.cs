using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Stt.Protocol.Handshake;
using Stt.Server.Configuration;
using Stt.Server.Hosting;
using Stt.Server.Identity;
using Stt.Server.Sessions;
using Stt.Transport;
using Stt.Transport.Timing;
using Stt.Transport.WebSockets;

namespace Stt.Server.WebSockets;

/// <summary>
/// The <c>/stt</c> endpoint: upgrades a request to a WebSocket, runs the responder handshake on it, and hands the
/// established session to the <see cref="SessionPipeline"/>; the request lasts as long as the session.
/// </summary>
/// <remarks>
/// Outcomes before a session exists: a plain HTTP request gets 400; an Origin not in <c>Stt:WebSocket:AllowedOrigins</c>
/// gets 403; more than <c>Stt:Sessions:MaxHalfOpen</c> handshakes in progress gets 503; a stopping node gets 503; a
/// HELLO that fails authentication (wrong shared seed, replay, stale) closes the WebSocket with 1008 and no STT byte.
/// </remarks>
internal sealed class WebSocketEndpoint : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly NodeSecrets _secrets;
    private readonly SessionPipeline _pipeline;
    private readonly SessionManager _manager;
    private readonly ILogger<WebSocketEndpoint> _logger;
    private readonly WebSocketTransportOptions _transport;
    private readonly HelloReplayCache _replayCache;
    private readonly TimerQueue _timers;
    private readonly Task _timerLoop;
    private readonly CancellationTokenSource _stop = new();
    private int _halfOpen;

    public WebSocketEndpoint(IOptions<NodeOptions> options, NodeSecrets secrets, SessionPipeline pipeline, SessionManager manager, ILogger<WebSocketEndpoint> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _secrets = secrets;
        _pipeline = pipeline;
        _manager = manager;
        _logger = logger;
        var session = NodeSessionOptions.Create(_options);
        _transport = new WebSocketTransportOptions
        {
            Session = session,
            MaxFrameSize = _options.WebSocket.MaxMessageSize,
            HandshakeTimeout = _options.Sessions.HandshakeTimeout,
        };
        _replayCache = new HelloReplayCache(session.Handshake, TimeProvider.System);
        _timers = new TimerQueue(TimeProvider.System);
        _timerLoop = _timers.RunAsync(_stop.Token);
    }

    /// <summary>Handles one request to the endpoint.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint speaks STT over WebSocket only.\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!IsOriginAllowed(context.Request.Headers.Origin))
        {
            WebSocketMetrics.Refused.Add(1, new KeyValuePair<string, object?>("reason", "origin"));
            WebSocketLog.OriginRefused(_logger, context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (_manager.IsStopping)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (Interlocked.Increment(ref _halfOpen) > _options.Sessions.MaxHalfOpen)
        {
            Interlocked.Decrement(ref _halfOpen);
            WebSocketMetrics.Refused.Add(1, new KeyValuePair<string, object?>("reason", "max_half_open"));
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        WebSocketSession session;
        try
        {
            WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = _options.WebSocket.KeepAliveInterval,
                KeepAliveTimeout = _options.WebSocket.KeepAliveTimeout,
                DangerousEnableCompression = false,
            }).ConfigureAwait(false);
            EndPoint? remote = context.Connection.RemoteIpAddress is { } address
                ? new IPEndPoint(address, context.Connection.RemotePort)
                : null;
            session = await WebSocketSession.AcceptAsync(
                socket, _secrets.Identity, _secrets.SharedSeed, _replayCache, _transport, _timers, remote, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SessionClosedException or WebSocketException or OperationCanceledException or IOException)
        {
            // The transport counted the outcome (stt.websocket.handshakes by result); nothing else to do.
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _halfOpen);
        }

        _pipeline.Serve(session);

        // Kestrel owns the connection for as long as this request runs.
        await session.TransportCompletion.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _timerLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        _timers.Dispose();
        _stop.Dispose();
    }

    private bool IsOriginAllowed(string? origin)
    {
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        foreach (string allowed in _options.WebSocket.AllowedOrigins)
        {
            if (allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

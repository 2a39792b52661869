using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Transport.Timing;

namespace Stt.Transport.WebSockets.Tests;

/// <summary>A Kestrel app on 127.0.0.1 that accepts STT sessions at /stt, sharing one timer loop, for the tests.</summary>
public sealed class WebSocketHost : IAsyncDisposable
{
    public static readonly byte[] SeedBytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray();

    private readonly WebApplication _app;
    private readonly TimerQueue _timers = new(TimeProvider.System);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _timerTask;
    private readonly HelloReplayCache _replayCache = new();

    private WebSocketHost(WebApplication app, WebSocketTransportOptions options)
    {
        _app = app;
        Options = options;
        _timerTask = _timers.RunAsync(_stop.Token);
    }

    public NodeIdentity ServerIdentity { get; } = new(Enumerable.Repeat((byte)0xB2, 32).ToArray());

    public NodeIdentity ClientIdentity { get; } = new(Enumerable.Repeat((byte)0xA1, 32).ToArray());

    public SharedSeed Seed { get; } = new(SeedBytes);

    public WebSocketTransportOptions Options { get; }

    /// <summary>Established server-side sessions, in order.</summary>
    public Channel<WebSocketSession> Sessions { get; } = Channel.CreateUnbounded<WebSocketSession>();

    /// <summary>Exceptions AcceptAsync threw.</summary>
    public Channel<Exception> Failures { get; } = Channel.CreateUnbounded<Exception>();

    /// <summary>The raw server-side WebSockets, so a test can abort one.</summary>
    public Channel<WebSocket> RawSockets { get; } = Channel.CreateUnbounded<WebSocket>();

    public Uri Uri { get; private set; } = null!;

    public static async Task<WebSocketHost> StartAsync(WebSocketTransportOptions? options = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var host = new WebSocketHost(app, options ?? new WebSocketTransportOptions());
        app.UseWebSockets();
        app.Map("/stt", host.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Uri = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/stt");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stopTimeout.Token);
        }

        await _app.DisposeAsync();
        await _stop.CancelAsync();
        await _timerTask;
        _timers.Dispose();
        ServerIdentity.Dispose();
        ClientIdentity.Dispose();
        Seed.Dispose();
        _stop.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        RawSockets.Writer.TryWrite(socket);
        EndPoint? remote = context.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, context.Connection.RemotePort) : null;
        WebSocketSession session;
        try
        {
            session = await WebSocketSession.AcceptAsync(socket, ServerIdentity, Seed, _replayCache, Options, _timers, remote, context.RequestAborted);
        }
        catch (Exception ex)
        {
            Failures.Writer.TryWrite(ex);
            return;
        }

        Sessions.Writer.TryWrite(session);
        await session.TransportCompletion;
    }
}

using Microsoft.Extensions.Options;
using Stt.Server.Configuration;
using Stt.Server.Health;
using Stt.Server.Sessions;

namespace Stt.Server.Hosting;

/// <summary>
/// SIGTERM handling: the node turns not-ready at once and refuses new sessions, lets content responses in flight
/// finish, then closes every session with CLOSE (SHUTTING_DOWN), all within <c>Stt:ShutdownTimeout</c>. The work runs in
/// <see cref="StoppingAsync"/>, which the host calls before it stops any hosted service: Kestrel's own stop would
/// otherwise wait first for the WebSocket requests, which end only when their sessions are closed here.
/// </summary>
internal sealed class GracefulShutdownService : IHostedLifecycleService
{
    private readonly NodeOptions _options;
    private readonly SessionManager _manager;
    private readonly NodeReadiness _readiness;
    private readonly InFlightResponses _inFlight;
    private readonly ILogger<GracefulShutdownService> _logger;

    public GracefulShutdownService(
        IOptions<NodeOptions> options,
        SessionManager manager,
        NodeReadiness readiness,
        InFlightResponses inFlight,
        IHostApplicationLifetime lifetime,
        ILogger<GracefulShutdownService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lifetime);
        _options = options.Value;
        _manager = manager;
        _readiness = readiness;
        _inFlight = inFlight;
        _logger = logger;

        // ApplicationStopping fires before any hosted service stops: readiness turns off first.
        lifetime.ApplicationStopping.Register(() =>
        {
            _readiness.BeginStopping();
            _manager.BeginStopping();
        });
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _readiness.BeginStopping();
        _manager.BeginStopping();
        TimeSpan timeout = _options.ShutdownTimeout;
        NodeLog.ShuttingDown(_logger, _manager.Count, timeout);
        long start = TimeProvider.System.GetTimestamp();

        // Content responses get most of the deadline; closing sessions needs only a round trip.
        await _inFlight.WaitForDrainAsync(timeout * 0.7, cancellationToken).ConfigureAwait(false);

        // A response fully written is not yet delivered: wait for the peers to acknowledge it before CLOSE cuts it off.
        TimeSpan untilClose = timeout * 0.8 - TimeProvider.System.GetElapsedTime(start);
        if (untilClose > TimeSpan.Zero)
        {
            await _manager.WaitForSendsDrainedAsync(untilClose).ConfigureAwait(false);
        }

        TimeSpan left = timeout - TimeProvider.System.GetElapsedTime(start);
        int stillClosing = await _manager.CloseAllAsync(left > TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        if (stillClosing > 0)
        {
            NodeLog.ShutdownDeadlinePassed(_logger, stillClosing);
        }

        NodeLog.ShutdownComplete(_logger);
    }
}

using System.Net;
using Microsoft.Extensions.Options;
using Stt.Server.Configuration;
using Stt.Server.Health;
using Stt.Server.Identity;
using Stt.Server.Sessions;
using Stt.Transport.Udp;
using Stt.Transport.Udp.Security;

namespace Stt.Server.Hosting;

/// <summary>The node's UDP endpoint: binds at start, hands every established session to the <see cref="SessionPipeline"/>, and closes them all at stop.</summary>
internal sealed partial class UdpNodeService : BackgroundService
{
    private readonly NodeOptions _options;
    private readonly NodeSecrets _secrets;
    private readonly SessionPipeline _pipeline;
    private readonly NodeReadiness _readiness;
    private readonly ILogger<UdpNodeService> _logger;
    private readonly TaskCompletionSource<EndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private UdpEndpoint? _endpoint;

    public UdpNodeService(IOptions<NodeOptions> options, NodeSecrets secrets, SessionPipeline pipeline, NodeReadiness readiness, ILogger<UdpNodeService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _secrets = secrets;
        _pipeline = pipeline;
        _readiness = readiness;
        _logger = logger;
        if (_options.Udp.Enabled)
        {
            readiness.ExpectListener();
        }
    }

    /// <summary>Completes with the bound address once the socket is open (tests and logs read the port from it).</summary>
    public Task<EndPoint> LocalEndPoint => _bound.Task;

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        UdpListenerOptions udp = _options.Udp;
        if (!udp.Enabled)
        {
            _bound.TrySetCanceled(CancellationToken.None);
            return;
        }

        var transport = new UdpTransportOptions
        {
            DatagramBudget = udp.DatagramBudget,
            Session = NodeSessionOptions.Create(_options),
            DualMode = IPAddress.Parse(udp.Address).Equals(IPAddress.IPv6Any),
            ReceiveBufferSize = udp.ReceiveBufferSize > 0 ? udp.ReceiveBufferSize : null,
            SendBufferSize = udp.SendBufferSize > 0 ? udp.SendBufferSize : null,
            HandshakeGuard = HandshakeGuardOptions.Default with
            {
                MaxHalfOpen = _options.Sessions.MaxHalfOpen,
                RetryThreshold = Math.Min(HandshakeGuardOptions.Default.RetryThreshold, _options.Sessions.MaxHalfOpen),
                HandshakesPerSecondPerSource = _options.Sessions.HandshakesPerSecondPerSource,
                HandshakeBurstPerSource = _options.Sessions.HandshakeBurstPerSource,
            },
            HalfOpenTimeout = _options.Sessions.HandshakeTimeout,

            // Every session the half-open cap admitted may complete at once (the receive loop takes datagrams 64 at a
            // time); the accept queue holds them all, so a burst is served rather than closed for a full backlog.
            AcceptBacklog = Math.Max(UdpTransportOptions.Default.AcceptBacklog, _options.Sessions.MaxHalfOpen),
        };
        _endpoint = new UdpEndpoint(new IPEndPoint(IPAddress.Parse(udp.Address), udp.Port), _secrets.Identity, _secrets.SharedSeed, transport);
        _bound.TrySetResult(_endpoint.LocalEndPoint);
        NodeLog.UdpListening(_logger, _endpoint.LocalEndPoint);
        _readiness.ListenerStarted();
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_endpoint is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            UdpSession session;
            try
            {
                session = await _endpoint.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _pipeline.Serve(session);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_endpoint is not null)
        {
            // Sessions were closed gracefully by the shutdown service first; this frees any that are left.
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
    }
}

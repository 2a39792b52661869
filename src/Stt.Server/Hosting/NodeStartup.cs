using Stt.Server.Health;
using Stt.Server.Identity;

namespace Stt.Server.Hosting;

/// <summary>
/// The first hosted service: reports where the seeds are (saying so loudly when this start created them)
/// and reports the node ready once Kestrel serves requests.
/// </summary>
internal sealed class NodeStartup(NodeSecrets secrets, NodeReadiness readiness, IHostApplicationLifetime lifetime, ILogger<NodeStartup> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        NodeLog.Starting(logger, secrets.Identity.NodeId, secrets.DataDirectory);
        if (secrets.CreatedSeeds)
        {
            NodeLog.CreatedSeeds(logger, secrets.NodeSeedPath ?? "(configured)", secrets.SharedSeedPath ?? "(configured)");
        }
        else if (secrets.SharedSeedPath is not null)
        {
            NodeLog.SharedSeedFile(logger, secrets.SharedSeedPath);
        }

        // Kestrel starts after the hosted services; ready means it accepts requests too.
        readiness.ExpectListener();
        lifetime.ApplicationStarted.Register(readiness.ListenerStarted);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

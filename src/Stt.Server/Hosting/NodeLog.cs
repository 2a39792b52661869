namespace Stt.Server.Hosting;

/// <summary>The node's start-up and shutdown log lines.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Node {NodeId} starting; data folder {DataDirectory}")]
    public static partial void Starting(ILogger logger, Stt.Protocol.Identity.NodeId nodeId, string dataDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Created new seeds on first start. Node seed: {NodeSeedPath}. Shared seed: {SharedSeedPath} (copy this file to every client that should connect; keep it secret)")]
    public static partial void CreatedSeeds(ILogger logger, string nodeSeedPath, string sharedSeedPath);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Shared seed file: {SharedSeedPath}")]
    public static partial void SharedSeedFile(ILogger logger, string sharedSeedPath);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "UDP endpoint listening on {EndPoint}")]
    public static partial void UdpListening(ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Shutting down: closing {Count} sessions within {Timeout}")]
    public static partial void ShuttingDown(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Shutdown deadline passed with {Count} sessions still closing")]
    public static partial void ShutdownDeadlinePassed(ILogger logger, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Shutdown complete")]
    public static partial void ShutdownComplete(ILogger logger);
}

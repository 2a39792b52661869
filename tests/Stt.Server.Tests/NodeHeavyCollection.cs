using Xunit;

namespace Stt.Server.Tests;

/// <summary>Heavy tests against a real node (hundreds of sessions, megabytes of traffic): never two at once.</summary>
[CollectionDefinition("node-heavy", DisableParallelization = true)]
public sealed class NodeHeavyCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "node-heavy";
}

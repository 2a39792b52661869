using Xunit;

namespace Stt.Server.Tests;

/// <summary>Tests that load the node heavily (large transfers, thousands of sessions) run one at a time.</summary>
[CollectionDefinition("node-heavy", DisableParallelization = true)]
public sealed class NodeHeavyCollection;

using Xunit;

namespace Stt.Server.Tests;

/// <summary>Tests that run whole nodes (or several) and heavy traffic: never two at once, never beside other classes.</summary>
[CollectionDefinition("node-heavy", DisableParallelization = true)]
public sealed class NodeHeavyCollection;

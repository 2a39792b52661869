using Xunit;

namespace Stt.Cli.Tests;

/// <summary>Classes that start a node run one at a time: the machine is small and shared.</summary>
[CollectionDefinition("cli-node", DisableParallelization = true)]
public sealed class CliNodeCollection
{
}

using System.Security.Cryptography;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it prints.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(TextReader.Null, _ => null, args);

    public static async Task<Result> RunAsync(TextReader stdin, Func<string, string?> environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Program.RunAsync(args, stdin, stdout, stderr, environment, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    public static string Udp(TestNode node) => $"stt+udp://127.0.0.1:{node.UdpEndPoint.Port}";

    public static string Ws(TestNode node) => node.WebSocketUri.ToString();

    public static string NodeUri(TestNode node, string transport) => transport == "udp" ? Udp(node) : Ws(node);

    /// <summary>Writes the node's shared seed as hex to a file in its data folder, as the node would.</summary>
    public static string SeedFile(TestNode node, byte[]? seed = null)
    {
        string path = Path.Combine(node.DataDirectory, $"cli-{Guid.NewGuid():N}.seed");
        File.WriteAllText(path, Convert.ToHexStringLower(seed ?? node.SharedSeedBytes) + "\n");
        return path;
    }

    public static byte[] WrongSeed() => RandomNumberGenerator.GetBytes(32);
}

using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Identity;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Cli.Tests;

[Collection("cli-node")]
public sealed class ConnectionCommandTests
{
    public static TheoryData<string> Transports => new() { "udp", "websocket" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Info_prints_transport_node_id_and_rtt(string transport)
    {
        byte[] nodeSeed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using var identity = new NodeIdentity(nodeSeed);
        await using TestNode node = await TestNode.StartAsync(nodeSeed: nodeSeed);

        Cli.Result info = await Cli.RunAsync("info", Cli.NodeUri(node, transport), "--seed-file", Cli.SeedFile(node));

        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Equal(3, info.Lines.Length);
        Assert.Equal($"transport: {transport}", info.Lines[0]);
        Assert.Equal($"node id:   {identity.NodeId}", info.Lines[1]);
        Assert.Matches(@"^rtt:\s+[0-9.]+ ms$", info.Lines[2]);
    }

    [Fact]
    public async Task The_seed_can_come_from_the_environment()
    {
        await using TestNode node = await TestNode.StartAsync();
        string hex = Convert.ToHexString(node.SharedSeedBytes);

        Cli.Result info = await Cli.RunAsync(TextReader.Null, name => name == "STT_SHARED_SEED" ? hex : null, "info", Cli.Ws(node));

        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Equal("transport: websocket", info.Lines[0]);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_wrong_seed_exits_2_and_says_to_check_the_seed(string transport)
    {
        await using TestNode node = await TestNode.StartAsync();

        Cli.Result info = await Cli.RunAsync("list", Cli.NodeUri(node, transport), "--seed-file", Cli.SeedFile(node, Cli.WrongSeed()));

        Assert.True(info.ExitCode == 2, info.ToString());
        Assert.Contains("handshake failed: check the shared seed", info.Stderr);
        Assert.Empty(info.Stdout);
    }

    [Fact]
    public async Task No_node_listening_exits_2()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string seed = Path.Combine(Path.GetTempPath(), $"stt-cli-{Guid.NewGuid():N}.seed");
        await File.WriteAllTextAsync(seed, Convert.ToHexString(Cli.WrongSeed()), TestContext.Current.CancellationToken);
        try
        {
            Cli.Result info = await Cli.RunAsync("info", $"ws://127.0.0.1:{port}/stt", "--seed-file", seed);

            Assert.True(info.ExitCode == 2, info.ToString());
            Assert.StartsWith("stt: ", info.Stderr);
        }
        finally
        {
            File.Delete(seed);
        }
    }
}

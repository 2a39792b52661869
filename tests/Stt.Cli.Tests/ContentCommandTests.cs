using System.Security.Cryptography;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Cli.Tests;

[Collection("cli-node")]
public sealed class ContentCommandTests
{
    public static TheoryData<string> Transports => new() { "udp", "websocket" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Put_then_get_round_trips_the_bytes_and_list_shows_the_content(string transport)
    {
        await using TestNode node = await TestNode.StartAsync();
        string seed = Cli.SeedFile(node);
        string uri = Cli.NodeUri(node, transport);
        byte[] content = RandomNumberGenerator.GetBytes(300_000);
        string input = Path.Combine(node.DataDirectory, "input.bin");
        await File.WriteAllBytesAsync(input, content, TestContext.Current.CancellationToken);

        Cli.Result put = await Cli.RunAsync("put", uri, input, "--name", "clip.bin", "--chunk-size", "65536", "--seed-file", seed);
        Assert.True(put.ExitCode == 0, put.ToString());
        string id = Assert.Single(put.Lines);
        Assert.Equal(64, id.Length);

        string output = Path.Combine(node.DataDirectory, "output.bin");
        Cli.Result get = await Cli.RunAsync("--seed-file", seed, "get", uri, id, output);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("size:   300000", get.Lines);
        Assert.Contains($"sha256: {Convert.ToHexStringLower(SHA256.HashData(content))}", get.Lines);
        Assert.Equal(content, await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(output + ".part"));

        Cli.Result list = await Cli.RunAsync("list", uri, "--seed-file", seed);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal($"{id}\t300000\t5\tclip.bin", Assert.Single(list.Lines));
    }

    [Fact]
    public async Task Get_resumes_a_partial_file_and_replaces_a_damaged_tail()
    {
        await using TestNode node = await TestNode.StartAsync();
        string seed = Cli.SeedFile(node);
        byte[] content = RandomNumberGenerator.GetBytes(200_000);
        string input = Path.Combine(node.DataDirectory, "input.bin");
        await File.WriteAllBytesAsync(input, content, TestContext.Current.CancellationToken);
        Cli.Result put = await Cli.RunAsync("put", Cli.Udp(node), input, "--chunk-size=65536", "--seed-file", seed);
        Assert.True(put.ExitCode == 0, put.ToString());

        // Two good chunks, then garbage: the download keeps the good prefix and fetches the rest.
        string output = Path.Combine(node.DataDirectory, "output.bin");
        byte[] partial = content[..150_000];
        partial.AsSpan(140_000).Fill(0xEE);
        await File.WriteAllBytesAsync(output + ".part", partial, TestContext.Current.CancellationToken);

        Cli.Result get = await Cli.RunAsync("get", Cli.Udp(node), put.Lines[0], output, "--seed-file", seed);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Get_of_unknown_content_exits_3_with_the_status()
    {
        await using TestNode node = await TestNode.StartAsync();
        string unknown = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string output = Path.Combine(node.DataDirectory, "never.bin");

        Cli.Result get = await Cli.RunAsync("get", Cli.Ws(node), unknown, output, "--seed-file", Cli.SeedFile(node));

        Assert.True(get.ExitCode == 3, get.ToString());
        Assert.Contains("UnknownContent", get.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task List_of_an_empty_node_prints_nothing()
    {
        await using TestNode node = await TestNode.StartAsync();

        Cli.Result list = await Cli.RunAsync("list", Cli.Udp(node), "--seed-file", Cli.SeedFile(node));

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Empty(list.Lines);
    }
}

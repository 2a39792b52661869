using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Cli.Tests;

[Collection("cli-node")]
public sealed class ChannelCommandTests
{
    public static TheoryData<string> Transports => new() { "udp", "websocket" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Subscribe_with_count_prints_live_messages_then_exits(string transport)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        string seed = Cli.SeedFile(node);
        string uri = Cli.NodeUri(node, transport);

        Task<Cli.Result> subscriber = Cli.RunAsync("subscribe", uri, "news/live", "--count", "3", "--seed-file", seed);

        // The subscription may not be registered yet: publish rounds until the subscriber has its three messages.
        for (int round = 0; round < 100 && !subscriber.IsCompleted; round++)
        {
            Cli.Result publish = await Cli.RunAsync("publish", uri, "news/live", "hello", "wörld", "--seed-file", seed);
            Assert.True(publish.ExitCode == 0, publish.ToString());
            await Task.WhenAny(subscriber, Task.Delay(100, ct));
        }

        Cli.Result result = await subscriber.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Lines;
        Assert.Equal(3, lines.Length);
        ulong previous = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string[] parts = lines[i].Split('\t');
            Assert.Equal(2, parts.Length);
            ulong sequence = ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(i == 0 || sequence > previous, $"sequence {sequence} after {previous}");
            previous = sequence;
            Assert.Contains(parts[1], new[] { "hello", "wörld" });
        }
    }

    [Fact]
    public async Task Publish_reads_stdin_lines_and_replay_delivers_them_to_a_late_subscriber()
    {
        await using TestNode node = await TestNode.StartAsync();
        string seed = Cli.SeedFile(node);
        string uri = Cli.Udp(node);

        Cli.Result publish = await Cli.RunAsync(new StringReader("first\nsecond line\nthird\n"), _ => null, "publish", uri, "logs", "--seed-file", seed);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("published 3 message(s) to logs", publish.Stderr);

        Cli.Result subscribe = await Cli.RunAsync("subscribe", uri, "logs", "--replay", "--count", "3", "--seed-file", seed);

        Assert.True(subscribe.ExitCode == 0, subscribe.ToString());
        string[][] lines = subscribe.Lines.Select(line => line.Split('\t')).ToArray();
        Assert.Equal(["first", "second line", "third"], lines.Select(parts => parts[1]));
        ulong first = ulong.Parse(lines[0][0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([first, first + 1, first + 2], lines.Select(parts => ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Payloads_print_as_text_when_printable_else_as_hex()
    {
        Assert.Equal("héllo\tworld", Commands.FormatPayload("héllo\tworld"u8));
        Assert.Equal(string.Empty, Commands.FormatPayload([]));
        Assert.Equal("hex:00ff10", Commands.FormatPayload([0x00, 0xFF, 0x10]));
        Assert.Equal("hex:610a62", Commands.FormatPayload("a\nb"u8));
        Assert.Equal("hex:c328", Commands.FormatPayload([0xC3, 0x28]));
    }
}

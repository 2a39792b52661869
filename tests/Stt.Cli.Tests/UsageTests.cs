using Xunit;

namespace Stt.Cli.Tests;

/// <summary>Usage errors are caught before any connection, so these need no node.</summary>
public sealed class UsageTests
{
    private const string Udp = "stt+udp://127.0.0.1:9";
    private const string ContentId = "0000000000000000000000000000000000000000000000000000000000000000";

    [Fact]
    public async Task Help_prints_usage_and_exits_0()
    {
        Cli.Result help = await Cli.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("stt subscribe NODE CHANNEL", help.Stdout);
        Assert.Empty(help.Stderr);

        Assert.Equal(0, (await Cli.RunAsync("get", "-h")).ExitCode);
    }

    public static TheoryData<string[], string> Mistakes => new()
    {
        { [], "no command given" },
        { ["frobnicate", Udp], "unknown command 'frobnicate'" },
        { ["info"], "'info' needs more arguments" },
        { ["info", Udp, "extra"], "unexpected argument 'extra'" },
        { ["info", Udp, "--verbose"], "unknown option --verbose" },
        { ["info", Udp, "--replay"], "option --replay does not apply to 'info'" },
        { ["info", "http://127.0.0.1:80/"], "Unsupported node URI scheme 'http'" },
        { ["info", "stt+udp://127.0.0.1"], "needs an explicit port" },
        { ["info", "not a uri"], "is not a node URI" },
        { ["subscribe", Udp, "bad channel"], "is not a valid channel name" },
        { ["subscribe", Udp, "news", "--count", "0"], "option --count needs a positive whole number" },
        { ["subscribe", Udp, "news", "--count"], "option --count needs a value" },
        { ["subscribe", Udp, "news", "--replay", "--replay"], "option --replay given twice" },
        { ["publish", Udp], "'publish' needs more arguments" },
        { ["put", Udp, "/nonexistent/stt-cli-file"], "cannot read /nonexistent/stt-cli-file" },
        { ["get", Udp, "abc", "out.bin"], "'abc' is not a content ID" },
        { ["list", Udp, "--seed-file", "/nonexistent/shared.seed"], "cannot read the shared seed from /nonexistent/shared.seed" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task Mistakes_exit_1_with_a_message_on_stderr(string[] args, string message)
    {
        Cli.Result result = await Cli.RunAsync(args);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_seed_that_is_not_hex_or_too_short_exits_1()
    {
        string path = Path.Combine(Path.GetTempPath(), $"stt-cli-{Guid.NewGuid():N}.seed");
        try
        {
            await File.WriteAllTextAsync(path, "not hex", TestContext.Current.CancellationToken);
            Cli.Result notHex = await Cli.RunAsync("list", Udp, "--seed-file", path);
            Assert.True(notHex.ExitCode == 1, notHex.ToString());
            Assert.Contains("is not hex text", notHex.Stderr);

            await File.WriteAllTextAsync(path, "00112233", TestContext.Current.CancellationToken);
            Cli.Result tooShort = await Cli.RunAsync("list", Udp, "--seed-file", path);
            Assert.True(tooShort.ExitCode == 1, tooShort.ToString());
            Assert.Contains("shorter than 32 bytes", tooShort.Stderr);

            Cli.Result fromEnvironment = await Cli.RunAsync(TextReader.Null, _ => "zz", "list", Udp);
            Assert.True(fromEnvironment.ExitCode == 1, fromEnvironment.ToString());
            Assert.Contains("STT_SHARED_SEED is not hex text", fromEnvironment.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

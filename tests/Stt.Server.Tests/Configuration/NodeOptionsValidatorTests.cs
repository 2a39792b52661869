using Microsoft.Extensions.Options;
using Stt.Server.Configuration;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Server.Tests.Configuration;

public sealed class NodeOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(Action<NodeOptions> change)
    {
        var options = new NodeOptions();
        change(options);
        return new NodeOptionsValidator().Validate(null, options);
    }

    [Fact]
    public void Defaults_are_valid() => Assert.True(Validate(_ => { }).Succeeded);

    [Theory]
    [InlineData("Stt:Udp:Port")]
    [InlineData("Stt:Udp:Address")]
    [InlineData("Stt:WebSocket:Path")]
    [InlineData("Stt:WebSocket:MaxMessageSize")]
    [InlineData("Stt:Sessions:KeepAliveInterval")]
    [InlineData("Stt:Content:ChunkSize")]
    [InlineData("Stt:Content:MaxContentLength")]
    [InlineData("Stt:Channels:MaxMessageLength")]
    [InlineData("Stt:Channels:Publishers")]
    [InlineData("Stt:NodeSeed")]
    [InlineData("Stt:Telemetry:OtlpEndpoint")]
    public void Each_bad_setting_is_named_in_the_failure(string key)
    {
        ValidateOptionsResult result = Validate(o =>
        {
            switch (key)
            {
                case "Stt:Udp:Port": o.Udp.Port = 70_000; break;
                case "Stt:Udp:Address": o.Udp.Address = "not-an-ip"; break;
                case "Stt:WebSocket:Path": o.WebSocket.Path = "stt"; break;
                case "Stt:WebSocket:MaxMessageSize": o.WebSocket.MaxMessageSize = 10; break;
                case "Stt:Sessions:KeepAliveInterval": o.Sessions.KeepAliveInterval = TimeSpan.FromSeconds(59); break;
                case "Stt:Content:ChunkSize": o.Content.ChunkSize = 100; break;
                case "Stt:Content:MaxContentLength": o.Content.ChunkSize = 4096; o.Content.MaxContentLength = 1L << 40; break;
                case "Stt:Channels:MaxMessageLength": o.Channels.MaxMessageLength = o.Channels.SubscriberQueueBytes + 1; break;
                case "Stt:Channels:Publishers": o.Channels.Publishers.Add("abc"); break;
                case "Stt:NodeSeed": o.NodeSeed = "00112233"; break;
                case "Stt:Telemetry:OtlpEndpoint": o.Telemetry.OtlpEndpoint = "nope"; break;
            }
        });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_seed_is_never_echoed()
    {
        const string secret = "zz11223344556677889900112233445566778899001122334455667788990011";
        ValidateOptionsResult result = Validate(o => o.SharedSeed = secret);
        Assert.True(result.Failed);
        Assert.DoesNotContain(secret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_refuses_to_start_with_a_message_naming_the_setting()
    {
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await TestNode.StartAsync(new Dictionary<string, string?> { ["Stt:Udp:DatagramBudget"] = "100" }));
        Assert.Contains("Stt:Udp:DatagramBudget 100 is out of range [512, 65507].", error.Message, StringComparison.Ordinal);
    }
}

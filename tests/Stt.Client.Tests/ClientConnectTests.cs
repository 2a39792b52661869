using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Transport;
using Stt.Transport.Timing;
using Stt.Transport.WebSockets;
using Xunit;

namespace Stt.Client.Tests;

public sealed class ClientConnectTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("stt+udp://127.0.0.1:4433", true, "127.0.0.1", 4433)]
    [InlineData("STT+UDP://node.example:9", true, "node.example", 9)]
    [InlineData("stt+udp://[::1]:5000", true, "::1", 5000)]
    [InlineData("ws://localhost:8080/stt", false, "localhost", 8080)]
    [InlineData("wss://node.example/stt", false, "node.example", 443)]
    public void Node_uri_picks_the_transport(string uri, bool udp, string host, int port)
    {
        Assert.Equal(udp, SttClient.ParseNodeUri(new Uri(uri), out string parsedHost, out int parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("http://127.0.0.1:80/")]
    [InlineData("stt+udp://127.0.0.1")]
    [InlineData("stt+tcp://127.0.0.1:1")]
    public async Task Unsupported_or_incomplete_uri_is_rejected(string uri)
    {
        Assert.Throws<ArgumentException>(() => SttClient.ParseNodeUri(new Uri(uri), out _, out _));
        await Assert.ThrowsAsync<ArgumentException>(() => SttClient.ConnectAsync(new Uri(uri), TestNode.SeedBytes, Ct));
    }

    [Fact]
    public async Task Udp_connect_with_seed_bytes_and_an_explicit_identity()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize);
        await using var node = new TestNode(content.HandleAsync);
        await using (SttClient client = await SttClient.ConnectAsync(node.Uri, TestNode.SeedBytes, Ct).WaitAsync(Bound, Ct))
        {
            Assert.Equal("udp", client.TransportName);
            Assert.Equal(content.Id, (await client.GetManifestAsync(content.Id, Ct)).Id);
        }

        using var identity = new NodeIdentity(Enumerable.Repeat((byte)9, 32).ToArray());
        await using SttClient second = await SttClient.ConnectAsync(node.Uri, new SttClientOptions { SharedSeed = node.Seed, Identity = identity }, Ct).WaitAsync(Bound, Ct);
        Assert.Equal(node.Identity.NodeId, second.PeerNodeId);
        int raw = await second.Session.OpenStreamAsync(Ct);
        Assert.True(raw >= 0);
    }

    [Fact]
    public async Task Wrong_shared_seed_fails_the_handshake()
    {
        await using var node = new TestNode(_ => Task.CompletedTask);
        byte[] other = Enumerable.Repeat((byte)0x33, 32).ToArray();
        var options = new SttClientOptions
        {
            SharedSeed = new SharedSeed(other),
            Udp = new Stt.Transport.Udp.UdpTransportOptions
            {
                Session = Stt.Protocol.Sessions.SessionOptions.Default with
                {
                    Handshake = Stt.Protocol.Sessions.SessionOptions.Default.Handshake with { HandshakeTimeout = TimeSpan.FromSeconds(2) },
                },
            },
        };
        await Assert.ThrowsAsync<SessionClosedException>(() => SttClient.ConnectAsync(node.Uri, options, Ct)).WaitAsync(Bound, Ct);
        options.SharedSeed.Dispose();
    }

    [Fact]
    public void Shared_seed_file_is_read_as_hex_text()
    {
        string path = Path.Combine(Path.GetTempPath(), $"stt-client-{Guid.NewGuid():N}.seed");
        try
        {
            File.WriteAllText(path, Convert.ToHexStringLower(TestNode.SeedBytes) + "\n");
            SttClientOptions options = SttClientOptions.FromSharedSeedFile(path);
            using var expected = new SharedSeed(TestNode.SeedBytes);
            Assert.NotNull(options.SharedSeed);
            options.SharedSeed.Dispose();

            File.WriteAllText(path, "not hex");
            Assert.Throws<FormatException>(() => SttClientOptions.FromSharedSeedFile(path));
            File.WriteAllText(path, "00ff");
            Assert.Throws<ArgumentException>(() => SttClientOptions.FromSharedSeedFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WebSocket_connect_speaks_the_same_protocol()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 3 + 5);
        await using var node = new TestNode(content.HandleAsync);
        using var timers = new TimerQueue(TimeProvider.System);
        using var stop = new CancellationTokenSource();
        Task timerLoop = timers.RunAsync(stop.Token);
        var replay = new HelloReplayCache();

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Map("/stt", async (HttpContext context) =>
        {
            WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            WebSocketSession session = await WebSocketSession.AcceptAsync(
                socket, node.Identity, node.Seed, replay, WebSocketTransportOptions.Default, timers, null, context.RequestAborted);
            node.Serve(session);
            await session.TransportCompletion;
        });
        await app.StartAsync(Ct);
        try
        {
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var uri = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/stt");

            await using (SttClient client = await SttClient.ConnectAsync(uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct))
            {
                Assert.Equal("websocket", client.TransportName);
                Assert.Equal(node.Identity.NodeId, client.PeerNodeId);
                var destination = new MemoryStream();
                await client.FetchAsync(content.Id, destination, ct: Ct).WaitAsync(Bound, Ct);
                Assert.Equal(content.Content, destination.ToArray());
            }
        }
        finally
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(stopTimeout.Token);
            await stop.CancelAsync();
            await timerLoop;
        }
    }
}

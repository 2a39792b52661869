using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Stt.Client;
using Stt.Server.Sessions;
using Stt.Server.Tests.Node;
using Stt.Transport;
using Xunit;

namespace Stt.Server.Tests.BadInput;

/// <summary>What the <c>/stt</c> endpoint does with requests and messages that are not STT (docs/protocol.md section 16, WebSocketEndpoint).</summary>
public sealed class WebSocketBadInputTests
{
    [Fact]
    public async Task A_plain_http_get_gets_400()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.GetAsync(new Uri(node.HttpAddress, "/stt"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await NodeChecks.AssertServingAsync(node, "websocket", ct);
    }

    [Fact]
    public async Task An_upgrade_from_a_disallowed_origin_gets_403_and_an_allowed_one_is_accepted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:WebSocket:AllowedOrigins:0"] = "https://good.example",
        });

        using var refusals = new CounterWatch("stt.websocket.upgrades.refused", "origin");
        using (var evil = new ClientWebSocket())
        {
            evil.Options.CollectHttpResponseDetails = true;
            evil.Options.SetRequestHeader("Origin", "https://evil.example");
            await Assert.ThrowsAsync<WebSocketException>(() => evil.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct));
            Assert.Equal(HttpStatusCode.Forbidden, evil.HttpStatusCode);
        }

        Assert.True(refusals.Total >= 1);

        using (var good = new ClientWebSocket())
        {
            good.Options.SetRequestHeader("Origin", "https://good.example");
            await good.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.Equal(WebSocketState.Open, good.State);
            good.Abort();
        }

        await NodeChecks.AssertServingAsync(node, "websocket", ct);
    }

    public static TheoryData<string, int, WebSocketCloseStatus, string> FirstMessages => new()
    {
        { "garbage", 300, WebSocketCloseStatus.PolicyViolation, "malformed" },
        { "text", 40, WebSocketCloseStatus.InvalidMessageType, "text_message" },
        { "oversize", 20_000, WebSocketCloseStatus.MessageTooBig, "too_large" },
    };

    [Theory]
    [MemberData(nameof(FirstMessages))]
    public async Task A_first_message_that_is_not_a_hello_closes_the_websocket_with_its_code_and_is_counted(
        string kind, int length, WebSocketCloseStatus expected, string reason)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:WebSocket:MaxMessageSize"] = "16384",
        });
        var manager = node.Service<SessionManager>();
        using var dropped = new CounterWatch("stt.websocket.frames.dropped");
        using var rejected = new CounterWatch("stt.websocket.handshakes", "rejected");

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        byte[] message = RandomNumberGenerator.GetBytes(length);
        message[0] = 0xFF; // never a valid frame type byte
        WebSocketMessageType type = kind == "text" ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        if (kind == "text")
        {
            message = "hello, is this STT?                     "u8.ToArray();
        }

        try
        {
            await socket.SendAsync(message, type, endOfMessage: true, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
        catch (WebSocketException)
        {
            // The node may close while a large message is still being sent; the close status below is what counts.
        }

        byte[] receive = new byte[1024];
        WebSocketReceiveResult result = await socket.ReceiveAsync(receive, ct).WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(0, result.Count);
        Assert.Equal(expected, socket.CloseStatus);

        Assert.True(dropped.Total >= 1, $"{reason}: nothing counted as dropped");
        Assert.True(rejected.Total >= 1, "no rejected handshake counted");
        Assert.Equal(0, manager.Count);
        await NodeChecks.AssertServingAsync(node, "websocket", ct);
        await NodeChecks.AssertServingAsync(node, "udp", ct);
    }

    [Fact]
    public async Task Past_max_half_open_handshakes_an_upgrade_gets_503()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Sessions:MaxHalfOpen"] = "2",

            // Long enough that a loaded machine cannot free a slot between the second upgrade and the third.
            ["Stt:Sessions:HandshakeTimeout"] = "00:00:30",
        });

        // Two upgrades that never send a HELLO hold both half-open slots until the handshake timeout.
        using var first = new ClientWebSocket();
        using var second = new ClientWebSocket();
        await first.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        await second.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);

        using (var third = new ClientWebSocket())
        {
            third.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, third.HttpStatusCode);
        }

        // Closing them frees the slots: the node closes each (no HELLO) and a real client then gets in.
        first.Abort();
        second.Abort();

        // The node frees a slot when its read of the missing HELLO fails, a moment after the abort reaches it.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await NodeChecks.AssertServingAsync(node, "websocket", ct);
                break;
            }
            catch (WebSocketException) when (watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100, ct);
            }
        }
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("udp")]
    public async Task A_wrong_shared_seed_gets_no_session_and_the_node_serves_others(string transport)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?>
        {
            ["Stt:Sessions:HandshakeTimeout"] = "00:00:03",
        });
        var manager = node.Service<SessionManager>();
        byte[] wrong = RandomNumberGenerator.GetBytes(32);

        if (transport == "websocket")
        {
            // The node refuses the HELLO by closing the WebSocket with 1008 (PolicyViolation) and no STT byte.
            SessionClosedException error = await Assert.ThrowsAsync<SessionClosedException>(
                () => SttClient.ConnectAsync(node.WebSocketUri, wrong, ct).WaitAsync(TimeSpan.FromSeconds(20), ct));
            Assert.Contains("PolicyViolation", error.Message, StringComparison.Ordinal);

            // The same on a raw socket: a first binary message that is no acceptable HELLO gets 1008.
            using var raw = new ClientWebSocket();
            await raw.ConnectAsync(node.WebSocketUri, ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
            await raw.SendAsync(RandomNumberGenerator.GetBytes(200), WebSocketMessageType.Binary, true, ct);
            WebSocketReceiveResult result = await raw.ReceiveAsync(new byte[256], ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, raw.CloseStatus);
        }
        else
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(15));
            Exception error = await Assert.ThrowsAnyAsync<Exception>(
                () => SttClient.ConnectAsync(NodeChecks.NodeUri(node, "udp"), wrong, bound.Token).WaitAsync(TimeSpan.FromSeconds(30), ct));
            Assert.True(error is SessionClosedException or OperationCanceledException, error.ToString());
        }

        Assert.Equal(0, manager.Count);
        await NodeChecks.AssertServingAsync(node, transport, ct);
    }
}

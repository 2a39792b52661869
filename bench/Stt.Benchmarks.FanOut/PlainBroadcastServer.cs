using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// The baseline: a minimal Kestrel app with no STT protocol. <c>/sub</c> accepts a WebSocket and registers it;
/// <c>/pub</c> accepts a WebSocket whose every binary message is broadcast to all registered sockets. Each subscriber
/// has a bounded queue (256 messages, about the node's 256 KiB per subscriber, dropping the oldest when full) and one
/// send loop, so one slow socket does not hold the others back. The payload is copied once per message, not per socket.
/// </summary>
internal static class PlainBroadcastServer
{
    public static async Task RunAsync(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        app.UseWebSockets();
        var subscribers = new ConcurrentDictionary<Subscriber, byte>();
        app.MapGet("/healthz", () => "ok");
        app.Map("/sub", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            var subscriber = new Subscriber(socket);
            subscribers[subscriber] = 0;
            Task sending = subscriber.SendLoopAsync();
            var sink = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    WebSocketReceiveResult result = await socket.ReceiveAsync(sink, context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
            finally
            {
                subscribers.TryRemove(subscriber, out _);
                subscriber.Queue.Writer.TryComplete();
                await sending;
            }
        });
        app.Map("/pub", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    int length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(length), context.RequestAborted);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    byte[] payload = buffer.AsSpan(0, length).ToArray();
                    foreach (Subscriber subscriber in subscribers.Keys)
                    {
                        subscriber.Queue.Writer.TryWrite(payload);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        });
        await app.RunAsync();
    }

    private sealed class Subscriber(WebSocket socket)
    {
        public Channel<byte[]> Queue { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });

        public async Task SendLoopAsync()
        {
            try
            {
                await foreach (byte[] payload in Queue.Reader.ReadAllAsync())
                {
                    await socket.SendAsync(payload, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }
}

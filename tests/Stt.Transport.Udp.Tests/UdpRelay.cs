using System.Net;
using System.Net.Sockets;

namespace Stt.Transport.Udp.Tests;

/// <summary>
/// A NAT in miniature: forwards datagrams between one client and a server, and can move its server-facing side to a
/// new port mid-session, as a NAT rebinding does.
/// </summary>
public sealed class UdpRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly EndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private volatile Socket _upstream;
    private volatile EndPoint? _client;

    public UdpRelay(EndPoint server)
    {
        _server = server;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _upstream = NewUpstream();
        _loops.Add(Task.Run(FrontLoopAsync));
    }

    public EndPoint FrontEndPoint => _front.LocalEndPoint!;

    public EndPoint UpstreamEndPoint => _upstream.LocalEndPoint!;

    public void Rebind()
    {
        Socket old = _upstream;
        _upstream = NewUpstream();
        old.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _front.Dispose();
        _upstream.Dispose();
        foreach (Task loop in _loops)
        {
            try
            {
                await loop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    private Socket NewUpstream()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loops.Add(Task.Run(() => UpstreamLoopAsync(socket)));
        return socket;
    }

    private async Task FrontLoopAsync()
    {
        byte[] buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result = await _front.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            _client = result.RemoteEndPoint;
            try
            {
                _upstream.SendTo(buffer.AsSpan(0, result.ReceivedBytes), _server);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task UpstreamLoopAsync(Socket socket)
    {
        byte[] buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            if (_client is { } client)
            {
                _front.SendTo(buffer.AsSpan(0, result.ReceivedBytes), client);
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Stt.Server.Tests.BadInput;

/// <summary>
/// Forwards datagrams between one client and the node on loopback; <see cref="Cut"/> makes the client vanish from the
/// node's point of view (nothing more arrives, nothing is sent back, no CLOSE).
/// </summary>
internal sealed class UdpRelay : IDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _node;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _forward;
    private readonly Task _backward;
    private EndPoint? _client;

    public UdpRelay(IPEndPoint node)
    {
        _node = node;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _forward = Task.Run(ForwardAsync);
        _backward = Task.Run(BackwardAsync);
    }

    public int Port => ((IPEndPoint)_front.LocalEndPoint!).Port;

    public void Cut()
    {
        _stop.Cancel();
        _front.Dispose();
        _back.Dispose();
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested)
        {
            Cut();
        }

        Task.WaitAll([_forward, _backward], TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task ForwardAsync()
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received = await _front.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                _client = received.RemoteEndPoint;
                await _back.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), _node, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut.
        }
    }

    private async Task BackwardAsync()
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received = await _back.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                if (_client is { } client)
                {
                    await _front.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), client, _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut.
        }
    }
}

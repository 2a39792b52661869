using System.Net;
using System.Net.Sockets;

namespace Stt.Server.Tests.BadInput;

/// <summary>
/// Forwards one TCP connection to the node on loopback; <see cref="Cut"/> resets both sides (RST, no WebSocket close),
/// as when a client's machine drops off the network.
/// </summary>
internal sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _node;
    private readonly Task _run;
    private Socket? _client;
    private Socket? _server;
    private int _cut;

    public TcpRelay(IPEndPoint node)
    {
        _node = node;
        _listener.Start();
        _run = Task.Run(RunAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        if (Interlocked.Exchange(ref _cut, 1) != 0)
        {
            return;
        }

        _listener.Stop();
        foreach (Socket? socket in new[] { _client, _server })
        {
            if (socket is null)
            {
                continue;
            }

            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }

    public void Dispose()
    {
        Cut();
        _run.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task RunAsync()
    {
        try
        {
            _client = await _listener.AcceptSocketAsync();
            _server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _client.NoDelay = true;
            await _server.ConnectAsync(_node);
            await Task.WhenAll(PumpAsync(_client, _server), PumpAsync(_server, _client));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut.
        }
    }
}

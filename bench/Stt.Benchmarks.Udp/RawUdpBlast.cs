using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stt.Benchmarks.Udp;

/// <summary>The baseline: a sender thread blasting fixed-size datagrams at a receiver thread over loopback.</summary>
internal static class RawUdpBlast
{
    public static Measurement Run(int datagramSize, TimeSpan duration)
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, ReceiveTimeout = 200 };
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { SendBufferSize = 4 << 20 };
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        SocketAddress target = receiver.LocalEndPoint!.Serialize();
        bool stop = false;
        long received = 0;

        var receive = new Thread(() =>
        {
            byte[] buffer = new byte[65536];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    receiver.ReceiveFrom(buffer, SocketFlags.None, from);
                    received++;
                }
                catch (SocketException error) when (error.SocketErrorCode == SocketError.TimedOut)
                {
                }
            }
        });
        receive.Start();

        byte[] payload = new byte[datagramSize];
        var clock = Stopwatch.StartNew();
        var send = new Thread(() =>
        {
            while (clock.Elapsed < duration)
            {
                sender.SendTo(payload, SocketFlags.None, target);
            }
        });
        send.Start();
        send.Join();
        TimeSpan elapsed = clock.Elapsed;
        long count = Interlocked.Read(ref received);
        Volatile.Write(ref stop, true);
        receive.Join();
        return new Measurement(count, count * datagramSize, elapsed);
    }
}

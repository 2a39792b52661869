using System.Buffers;
using System.Diagnostics;
using System.Net;
using Stt.Protocol.Identity;
using Stt.Transport.Udp;

namespace Stt.Benchmarks.Udp;

/// <summary>One encrypted session over loopback: a writer fills one stream with 60 KiB messages, a reader drains it.</summary>
internal static class SessionGoodput
{
    private const int MessageLength = 60 * 1024;

    public static async Task<Measurement> RunAsync(int budget, TimeSpan duration)
    {
        using var clientIdentity = new NodeIdentity(Enumerable.Repeat((byte)1, 32).ToArray());
        using var serverIdentity = new NodeIdentity(Enumerable.Repeat((byte)2, 32).ToArray());
        using var seed = new SharedSeed(Enumerable.Repeat((byte)3, 32).ToArray());
        var options = new UdpTransportOptions { DatagramBudget = budget, ReceiveBufferSize = 4 << 20, SendBufferSize = 4 << 20 };
        await using var server = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), serverIdentity, seed, options);
        await using var client = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), clientIdentity, seed, options);
        ValueTask<UdpSession> accept = server.AcceptAsync();
        UdpSession outbound = await client.ConnectAsync(server.LocalEndPoint);
        UdpSession inbound = await accept;
        int stream = outbound.OpenStream();
        byte[] message = new byte[MessageLength];
        Random.Shared.NextBytes(message);

        long received = 0;
        var clock = Stopwatch.StartNew();
        Task reader = Task.Run(async () =>
        {
            int id = await inbound.AcceptStreamAsync();
            var buffer = new ArrayBufferWriter<byte>(MessageLength);
            while (true)
            {
                buffer.ResetWrittenCount();
                int length = await inbound.ReadMessageAsync(id, buffer);
                if (length == UdpSession.EndOfStream)
                {
                    return;
                }

                Interlocked.Add(ref received, length);
            }
        });

        long framesBefore = inbound.Statistics.FramesReceived;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        while (clock.Elapsed < duration)
        {
            await outbound.WriteMessageAsync(stream, message);
        }

        TimeSpan elapsed = clock.Elapsed;
        long bytes = Interlocked.Read(ref received);
        long frames = inbound.Statistics.FramesReceived - framesBefore;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        outbound.Finish(stream);
        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        return new Measurement(frames, bytes, elapsed, allocated);
    }
}

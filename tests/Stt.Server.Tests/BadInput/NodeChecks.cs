using System.Buffers;
using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Server.Tests.Node;
using Stt.Transport;
using Xunit;

namespace Stt.Server.Tests.BadInput;

/// <summary>Shared steps of the bad-input tests: a healthy client still works, and raw requests on a fresh stream.</summary>
internal static class NodeChecks
{
    public static Uri NodeUri(TestNode node, string transport) => transport == "udp"
        ? new Uri($"stt+udp://127.0.0.1:{node.UdpEndPoint.Port}")
        : node.WebSocketUri;

    /// <summary>A new client over <paramref name="transport"/> uploads a small content and fetches it back.</summary>
    public static async Task AssertServingAsync(TestNode node, string transport, CancellationToken ct)
    {
        await using SttClient client = await SttClient.ConnectAsync(NodeUri(node, transport), node.SharedSeedBytes, ct)
            .WaitAsync(TimeSpan.FromSeconds(20), ct);
        await AssertServingAsync(client, ct);
    }

    /// <summary>The client uploads a small content and fetches it back.</summary>
    public static async Task AssertServingAsync(SttClient client, CancellationToken ct)
    {
        byte[] content = RandomNumberGenerator.GetBytes(20_000);
        ContentId id = await client.UploadAsync(new MemoryStream(content), content.Length, "check.bin", 4096, ct)
            .WaitAsync(TimeSpan.FromSeconds(20), ct);
        var fetched = new MemoryStream();
        await client.FetchAsync(id, fetched, null, ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.Equal(content, fetched.ToArray());
    }

    /// <summary>
    /// Sends <paramref name="request"/> as the first message of a new stream, finishes it, and reads the response header
    /// and whatever follows until the server finishes its direction.
    /// </summary>
    public static async Task<(DistributionStatus Status, int MessagesAfter)> RawRequestAsync(SttSession session, byte[] request, CancellationToken ct)
    {
        int stream = session.OpenStream();
        await session.WriteMessageAsync(stream, request, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);
        session.Finish(stream);
        var buffer = new ArrayBufferWriter<byte>();
        int length = await session.ReadMessageAsync(stream, buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.NotEqual(SttSession.EndOfStream, length);
        Assert.True(ResponseHeader.TryRead(buffer.WrittenSpan, out DistributionStatus status, out _),
            $"not a response header: {Convert.ToHexString(buffer.WrittenSpan)}");
        int after = 0;
        while (true)
        {
            buffer.ResetWrittenCount();
            int next = await session.ReadMessageAsync(stream, buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);
            if (next == SttSession.EndOfStream)
            {
                return (status, after);
            }

            Assert.True(after++ < 1000, "the stream never ended");
        }
    }
}

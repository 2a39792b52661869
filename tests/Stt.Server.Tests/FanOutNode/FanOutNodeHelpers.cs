using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Stt.Protocol.Distribution;
using Stt.Server.FanOut;
using Stt.Server.Tests.Node;
using Stt.Transport;
using Xunit;

namespace Stt.Server.Tests.FanOutNode;

/// <summary>Shared pieces of the fan-out tests against a real node.</summary>
internal static class FanOutNodeHelpers
{
    public static Uri UdpUri(TestNode node) => new($"stt+udp://127.0.0.1:{node.UdpEndPoint.Port}");

    public static Uri NodeUri(TestNode node, bool udp) => udp ? UdpUri(node) : node.WebSocketUri;

    /// <summary>A payload of <paramref name="length"/> bytes whose first four carry <paramref name="index"/>.</summary>
    public static byte[] Payload(int index, int length)
    {
        byte[] payload = new byte[length];
        payload.AsSpan(4).Fill((byte)index);
        BinaryPrimitives.WriteInt32LittleEndian(payload, index);
        return payload;
    }

    public static int IndexOf(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt32LittleEndian(payload);

    /// <summary>The channel's current subscriber count in the node's hub (0 before the channel exists).</summary>
    public static int Subscribers(TestNode node, string channel) =>
        node.Service<ChannelHub>().TryGetChannel(channel, out LiveChannel? live) ? live.SubscriberCount : 0;

    /// <summary>The channel's snapshot; fails when it does not exist.</summary>
    public static ChannelStatistics Channel(TestNode node, string channel)
    {
        Assert.True(node.Service<ChannelHub>().TryGetChannel(channel, out LiveChannel? live), $"channel {channel} exists");
        return live.GetStatistics();
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="seconds"/> pass.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, double seconds = 30)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed.TotalSeconds > seconds)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Subscribes on a raw stream (request, FIN, OK header) and returns the stream without reading any message, so
    /// the node's data piles up in front of it.
    /// </summary>
    public static async Task<int> SubscribeRawAsync(SttSession session, string channel, bool replay, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        DistributionRequestWriter.Write(buffer, DistributionRequest.Subscribe(channel, replay ? SubscribeOptions.Replay : SubscribeOptions.None));
        int streamId = await session.OpenStreamAsync(ct);
        await session.WriteMessageAsync(streamId, buffer.WrittenMemory, ct);
        session.Finish(streamId);
        buffer.ResetWrittenCount();
        int length = await session.ReadMessageAsync(streamId, buffer, ct);
        Assert.True(length > 0, "the node answered the SUBSCRIBE");
        Assert.True(ResponseHeader.TryRead(buffer.WrittenSpan, out DistributionStatus status, out _), "the response header parses");
        Assert.Equal(DistributionStatus.Ok, status);
        return streamId;
    }

    /// <summary>Reads one channel message from a raw subscriber stream; null at END or end of stream.</summary>
    public static async Task<(ulong Sequence, int Index)?> ReadRawAsync(SttSession session, int streamId, ArrayBufferWriter<byte> buffer, CancellationToken ct)
    {
        buffer.ResetWrittenCount();
        int length = await session.ReadMessageAsync(streamId, buffer, ct);
        if (length == SttSession.EndOfStream)
        {
            return null;
        }

        Assert.True(ServerMessage.TryReadTag(buffer.WrittenSpan, out ServerMessageTag tag, out _), "the server message has a known tag");
        if (tag == ServerMessageTag.End)
        {
            return null;
        }

        Assert.Equal(ServerMessageTag.Data, tag);
        Assert.True(ChannelMessageHeader.TryRead(buffer.WrittenSpan, out ulong sequence, out ReadOnlySpan<byte> payload), "the channel message parses");
        return (sequence, IndexOf(payload));
    }
}

using Stt.Protocol.Distribution;
using Stt.Transport;
using Xunit;

namespace Stt.Client.Tests;

/// <summary>Server messages that break docs/distribution.md: the client resets with MALFORMED and throws InternalError.</summary>
public sealed class ClientMalformedTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, byte[][], bool> Cases => new()
    {
        { "garbage header", [[0x00, 0x05, 0x41]], false },
        { "header with trailing byte", [[0x00, 0x00, 0x00]], false },
        { "unknown tag", [[0x00, 0x00], [0x07]], false },
        { "END with a body", [[0x00, 0x00], [0x01, 0x00]], false },
        { "truncated ERROR", [[0x00, 0x00], [0x02, 0x08, 0x05]], false },
        { "non-minimal sequence", [[0x00, 0x00], [0x00, 0x40, 0x01]], false },
        { "sequence does not increase", [[0x00, 0x00], [0x00, 0x05], [0x00, 0x05]], false },
        { "sequence goes back", [[0x00, 0x00], [0x00, 0x05], [0x00, 0x04]], false },
        { "FIN without END", [[0x00, 0x00], [0x00, 0x01]], true },
        { "message after END", [[0x00, 0x00], [0x01], [0x00, 0x02]], true },
        { "empty message", [[0x00, 0x00], []], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_subscription_message_resets_and_throws(string name, byte[][] messages, bool finish)
    {
        var stopped = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var node = new TestNode(async stream =>
        {
            try
            {
                foreach (byte[] message in messages)
                {
                    await stream.RawAsync(message);
                }

                if (finish)
                {
                    stream.Session.Finish(stream.StreamId);
                    return;
                }

                for (int i = 0; i < 200; i++)
                {
                    await Task.Delay(10);
                    await stream.RawAsync([0x01]);
                }
            }
            catch (StreamAbortedException ex)
            {
                stopped.TrySetResult(ex.ErrorCode);
            }
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(async () =>
        {
            await foreach (ChannelMessage _ in client.SubscribeAsync("x", ct: Ct))
            {
            }
        }).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.InternalError, ex.Status);
        Assert.Contains("Malformed", ex.Message, StringComparison.Ordinal);
        if (!finish)
        {
            Assert.Equal((ulong)DistributionStreamErrorCode.Malformed, await stopped.Task.WaitAsync(Bound, Ct));
        }

        _ = name;
    }

    [Fact]
    public async Task Unknown_status_is_reported_as_internal_error()
    {
        await using var node = new TestNode(async stream =>
        {
            await stream.RawAsync([0x7F, 0x02, (byte)'h', (byte)'i']);
            stream.Session.Finish(stream.StreamId);
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(() => client.GetManifestAsync(default, Ct)).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.InternalError, ex.Status);
        Assert.Equal("hi", ex.ServerMessage);
    }

    [Fact]
    public async Task Chunk_with_the_wrong_index_is_malformed()
    {
        var content = new ContentResponder(ContentResponder.ChunkSize * 2);
        await using var node = new TestNode(async stream =>
        {
            if (stream.Request.Kind == DistributionRequestKind.GetManifest)
            {
                await content.HandleAsync(stream);
                return;
            }

            await stream.OkAsync();
            byte[] message = new byte[2 + ContentResponder.ChunkSize];
            ChunkMessage.TryWriteHeader(message, 1, out _);
            content.Content.AsSpan(ContentResponder.ChunkSize, ContentResponder.ChunkSize).CopyTo(message.AsSpan(2));
            await stream.RawAsync(message);
            await stream.EndAsync();
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var destination = new MemoryStream();
        var ex = await Assert.ThrowsAsync<DistributionException>(() => client.FetchAsync(content.Id, destination, ct: Ct)).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.InternalError, ex.Status);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task Listing_out_of_order_is_malformed()
    {
        await using var node = new TestNode(async stream =>
        {
            await stream.OkAsync();
            foreach (byte first in new byte[] { 2, 1 })
            {
                byte[] id = new byte[32];
                id[0] = first;
                byte[] message = new byte[ContentListingEntry.MaxLength];
                new ContentListingEntry(ContentId.FromHash(id), 1, 1, null).TryWrite(message, out int written);
                await stream.RawAsync(message[..written]);
            }

            await stream.EndAsync();
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(() => client.ListContentAsync(Ct)).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.InternalError, ex.Status);
    }

    [Fact]
    public async Task Reset_slow_consumer_becomes_the_slow_consumer_status()
    {
        await using var node = new TestNode(async stream =>
        {
            await stream.OkAsync();
            stream.Session.Reset(stream.StreamId, (ulong)DistributionStreamErrorCode.SlowConsumer);
        });
        await using SttClient client = await SttClient.ConnectAsync(node.Uri, node.ClientOptions(), Ct).WaitAsync(Bound, Ct);

        var ex = await Assert.ThrowsAsync<DistributionException>(async () =>
        {
            await foreach (ChannelMessage _ in client.SubscribeAsync("x", ct: Ct))
            {
            }
        }).WaitAsync(Bound, Ct);
        Assert.Equal(DistributionStatus.SlowConsumer, ex.Status);
    }
}

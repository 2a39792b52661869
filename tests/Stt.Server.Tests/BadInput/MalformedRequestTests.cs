using System.Buffers;
using System.Security.Cryptography;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Server.Tests.BadInput;

/// <summary>Requests the node cannot serve or parse get the documented status on their stream only (docs/distribution.md sections 3 and 5).</summary>
public sealed class MalformedRequestTests
{
    public static TheoryData<string> Transports => new() { "udp", "websocket" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Unknown_content_and_ranges_past_the_last_chunk_are_refused_with_their_status(string transport)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        await using SttClient client = await SttClient.ConnectAsync(NodeChecks.NodeUri(node, transport), node.SharedSeedBytes, ct);
        var unknown = new ContentId(RandomNumberGenerator.GetBytes(32));

        DistributionException manifest = await Assert.ThrowsAsync<DistributionException>(
            () => client.GetManifestAsync(unknown, ct).WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal(DistributionStatus.UnknownContent, manifest.Status);

        DistributionException fetch = await Assert.ThrowsAsync<DistributionException>(
            () => client.FetchAsync(unknown, new MemoryStream(), null, ct).WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal(DistributionStatus.UnknownContent, fetch.Status);

        Assert.Equal((DistributionStatus.UnknownContent, 0), await NodeChecks.RawRequestAsync(client.Session, Encode(DistributionRequest.GetChunks(unknown, 0, 1)), ct));

        // Three chunks of 4 KiB: chunks 0..2 exist.
        byte[] content = RandomNumberGenerator.GetBytes(3 * 4096);
        ContentId id = await client.UploadAsync(new MemoryStream(content), content.Length, null, 4096, ct);
        Assert.Equal((DistributionStatus.InvalidRange, 0), await NodeChecks.RawRequestAsync(client.Session, Encode(DistributionRequest.GetChunks(id, 2, 2)), ct));
        Assert.Equal((DistributionStatus.InvalidRange, 0), await NodeChecks.RawRequestAsync(client.Session, Encode(DistributionRequest.GetChunks(id, 3, 1)), ct));

        // The valid range right before works on the same session: OK, three chunks, END.
        Assert.Equal((DistributionStatus.Ok, 4), await NodeChecks.RawRequestAsync(client.Session, Encode(DistributionRequest.GetChunks(id, 0, 3)), ct));
        await NodeChecks.AssertServingAsync(client, ct);
    }

    public static TheoryData<string, string, DistributionStatus> MalformedCases()
    {
        string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var data = new TheoryData<string, string, DistributionStatus>();
        foreach (string transport in new[] { "udp", "websocket" })
        {
            data.Add(transport, "", DistributionStatus.MalformedRequest);                                   // empty message
            data.Add(transport, "7f", DistributionStatus.UnknownKind);                                       // unknown kind
            data.Add(transport, "ff" + new string('a', 100), DistributionStatus.UnknownKind);                // unknown kind, garbage after
            data.Add(transport, "03" + id[..20], DistributionStatus.MalformedRequest);                       // truncated GET_MANIFEST
            data.Add(transport, "03" + id + "00", DistributionStatus.MalformedRequest);                      // byte after the last field
            data.Add(transport, "04" + id + "00", DistributionStatus.MalformedRequest);                      // GET_CHUNKS without a count
            data.Add(transport, "04" + id + "0000", DistributionStatus.InvalidRange);                        // GET_CHUNKS count 0
            data.Add(transport, "04" + id + "4001" + "01", DistributionStatus.MalformedRequest);             // non-minimal varint
            data.Add(transport, "02096e6577732f6c69766502", DistributionStatus.MalformedRequest);            // SUBSCRIBE reserved bit
            data.Add(transport, "0103612f2f", DistributionStatus.MalformedRequest);                          // PUBLISH a//
            data.Add(transport, "06" + "4400" + "00" + "00", DistributionStatus.MalformedRequest);           // PUT_CONTENT chunk size 0
            data.Add(transport, "0500", DistributionStatus.MalformedRequest);                                // LIST_CONTENT without a limit
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public async Task A_malformed_request_gets_its_status_and_the_stream_ends_while_the_session_keeps_working(string transport, string hex, DistributionStatus expected)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using TestNode node = await TestNode.StartAsync();
        await using SttClient client = await SttClient.ConnectAsync(NodeChecks.NodeUri(node, transport), node.SharedSeedBytes, ct);

        (DistributionStatus status, int after) = await NodeChecks.RawRequestAsync(client.Session, Convert.FromHexString(hex), ct);

        Assert.Equal(expected, status);
        Assert.Equal(0, after);
        IReadOnlyList<ContentListingEntry> listing = await client.ListContentAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Empty(listing);
        await NodeChecks.AssertServingAsync(client, ct);
    }

    private static byte[] Encode(DistributionRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        DistributionRequestWriter.Write(buffer, request);
        return buffer.WrittenSpan.ToArray();
    }
}

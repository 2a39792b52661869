using System.Text.RegularExpressions;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Protocol.Tests.Distribution;

/// <summary>Checks every test vector of docs/distribution.md, section 8, against the implementation.</summary>
public class DistributionDocumentVectorTests
{
    private static readonly Dictionary<string, string> Vectors = ReadVectors();
    private static readonly ContentId Id = ContentId.Parse(Vectors["id"]);

    [Fact]
    public void Document_HasEveryVector()
    {
        Assert.Equal(16, Vectors.Count);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), Id.ToArray());
    }

    [Theory]
    [InlineData("publish")]
    [InlineData("subscribe")]
    [InlineData("get_manifest")]
    [InlineData("get_chunks")]
    [InlineData("list_content")]
    [InlineData("list_content_start")]
    [InlineData("put_content")]
    public void Requests_EncodeAndDecodeAsDocumented(string name)
    {
        DistributionRequest request = name switch
        {
            "publish" => DistributionRequest.Publish("news/live"),
            "subscribe" => DistributionRequest.Subscribe("news/live", SubscribeOptions.Replay),
            "get_manifest" => DistributionRequest.GetManifest(Id),
            "get_chunks" => DistributionRequest.GetChunks(Id, 5, 300),
            "list_content" => DistributionRequest.ListContent(Id, 100),
            "list_content_start" => DistributionRequest.ListContent(null, 0),
            _ => DistributionRequest.PutContent("clip.mp4", 1_000_000, 262_144),
        };
        byte[] buffer = new byte[DistributionLimits.MaxRequestLength];
        Assert.True(DistributionRequestWriter.TryWrite(buffer, request, out int written));
        Assert.Equal(Vectors[name], Convert.ToHexStringLower(buffer, 0, written));
        Assert.True(DistributionRequestReader.TryRead(Convert.FromHexString(Vectors[name]), out DistributionRequest read, out _));
        Assert.Equal(request, read);
    }

    [Fact]
    public void ServerMessages_EncodeAndDecodeAsDocumented()
    {
        byte[] buffer = new byte[512];

        Assert.True(ResponseHeader.TryWrite(buffer, DistributionStatus.Ok, "", out int written));
        Assert.Equal(Vectors["header_ok"], Hex(buffer, written));
        Assert.True(ResponseHeader.TryWrite(buffer, DistributionStatus.UnknownContent, "no such content", out written));
        Assert.Equal(Vectors["header_unknown_content"], Hex(buffer, written));
        Assert.True(ResponseHeader.TryRead(Convert.FromHexString(Vectors["header_unknown_content"]), out ResponseHeader header));
        Assert.Equal(new ResponseHeader(DistributionStatus.UnknownContent, "no such content"), header);

        Assert.True(ChannelMessageHeader.TryWrite(buffer, 1000, out written));
        "hi"u8.CopyTo(buffer.AsSpan(written));
        Assert.Equal(Vectors["channel_message"], Hex(buffer, written + 2));
        Assert.True(ChannelMessageHeader.TryRead(Convert.FromHexString(Vectors["channel_message"]), out ulong sequence, out ReadOnlySpan<byte> payload));
        Assert.Equal(1000UL, sequence);
        Assert.Equal("hi"u8.ToArray(), payload.ToArray());

        Assert.True(ChunkMessage.TryWriteHeader(buffer, 7, out written));
        new byte[] { 0xAA, 0xBB, 0xCC }.CopyTo(buffer.AsSpan(written));
        Assert.Equal(Vectors["chunk"], Hex(buffer, written + 3));

        Assert.True(ServerMessage.TryWriteEnd(buffer, out written));
        Assert.Equal(Vectors["end"], Hex(buffer, written));

        Assert.True(ServerMessage.TryWriteError(buffer, DistributionStatus.IntegrityFailure, "disk", out written));
        Assert.Equal(Vectors["error"], Hex(buffer, written));

        var entry = new ContentListingEntry(Id, 1_000_000, 4, "clip.mp4");
        Assert.True(entry.TryWrite(buffer, out written));
        Assert.Equal(Vectors["listing_entry"], Hex(buffer, written));
        Assert.True(ContentListingEntry.TryRead(Convert.FromHexString(Vectors["listing_entry"]), out ContentListingEntry read));
        Assert.Equal(entry, read);

        Assert.True(ServerMessage.TryWriteStored(buffer, Id));
        Assert.Equal(Vectors["stored"], Hex(buffer, ServerMessage.StoredLength));
    }

    private static string Hex(byte[] buffer, int length) => Convert.ToHexStringLower(buffer, 0, length);

    private static Dictionary<string, string> ReadVectors()
    {
        // The test project copies only docs/protocol.md; find docs/distribution.md by walking up from the output folder.
        string? directory = AppContext.BaseDirectory;
        string path = string.Empty;
        for (int depth = 0; depth < 10 && directory is not null; depth++)
        {
            path = Path.Combine(directory, "docs", "distribution.md");
            if (File.Exists(path))
            {
                break;
            }

            directory = Path.GetDirectoryName(directory.TrimEnd(Path.DirectorySeparatorChar));
        }

        string text = File.ReadAllText(path);
        var vectors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match block in Regex.Matches(text, "```vectors\\n(.*?)```", RegexOptions.Singleline))
        {
            foreach (string line in block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = line.IndexOf('=', StringComparison.Ordinal);
                vectors.Add(line[..equals].Trim(), line[(equals + 1)..].Trim());
            }
        }

        return vectors;
    }
}

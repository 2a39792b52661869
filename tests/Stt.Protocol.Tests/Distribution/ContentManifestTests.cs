using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CsCheck;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Protocol.Tests.Distribution;

public class ContentManifestTests
{
    private static readonly Dictionary<string, string> Vectors = ReadVectors();

    private static byte[] DocumentContent() => Enumerable.Range(0, 10000).Select(i => (byte)(i % 251)).ToArray();

    private static ContentManifest Build(ReadOnlySpan<byte> content, int chunkSize, string? name = null, string? mediaType = null)
    {
        using var builder = new ContentManifestBuilder(chunkSize, name, mediaType);
        for (int offset = 0; offset < content.Length; offset += chunkSize)
        {
            builder.AddChunkData(content.Slice(offset, Math.Min(chunkSize, content.Length - offset)));
        }

        return builder.Build();
    }

    [Fact]
    public void DocumentVector_BuildsExactBytesAndId()
    {
        byte[] content = DocumentContent();
        ContentManifest manifest = Build(content, 4096, "hello.txt", "text/plain");
        Assert.Equal(Vectors["manifest"], Convert.ToHexStringLower(manifest.Encoded.Span));
        Assert.Equal(Vectors["content id"], manifest.Id.ToString());
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Vectors[$"chunk {i}"], Convert.ToHexStringLower(manifest.GetChunkHash(i)));
        }

        Assert.Equal(Convert.FromHexString(Vectors["content id"]), SHA256.HashData(Convert.FromHexString(Vectors["manifest"])));
    }

    [Fact]
    public void DocumentVector_ParsesWithDocumentedFields()
    {
        Assert.True(ContentManifest.TryParse(Convert.FromHexString(Vectors["manifest"]), out ContentManifest? manifest, out string? error), error);
        Assert.NotNull(manifest);
        Assert.Equal(10000, manifest.TotalLength);
        Assert.Equal(4096, manifest.ChunkSize);
        Assert.Equal(3, manifest.ChunkCount);
        Assert.Equal("hello.txt", manifest.Name);
        Assert.Equal("text/plain", manifest.MediaType);
        Assert.Equal(new[] { 0L, 4096, 8192 }, Enumerable.Range(0, 3).Select(manifest.GetChunkOffset));
        Assert.Equal(new[] { 4096, 4096, 1808 }, Enumerable.Range(0, 3).Select(manifest.GetChunkLength));
        Assert.True(ContentId.TryParse(Vectors["content id"], out ContentId id));
        Assert.Equal(id, manifest.Id);

        byte[] content = DocumentContent();
        Assert.True(manifest.VerifyChunk(content.AsSpan(8192), 2));
        Assert.False(manifest.VerifyChunk(content.AsSpan(8192, 1807), 2));
        Assert.False(manifest.VerifyChunk(content.AsSpan(0, 4096), 1));
    }

    [Fact]
    public void DocumentVector_EmptyContent()
    {
        ContentManifest built = Build([], 4096);
        Assert.Equal(Vectors["empty manifest"], Convert.ToHexStringLower(built.Encoded.Span));
        Assert.Equal(Vectors["empty content id"], built.Id.ToString());
        Assert.True(ContentManifest.TryParse(built.Encoded.Span, out ContentManifest? parsed, out _));
        Assert.Equal(0, parsed!.ChunkCount);
        Assert.Null(parsed.Name);
        Assert.Null(parsed.MediaType);
        Assert.Throws<ArgumentOutOfRangeException>(() => parsed.GetChunkLength(0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(3 * 4096)]
    public void Build_Parse_RoundTrips(int length)
    {
        byte[] content = new byte[length];
        new Random(length).NextBytes(content);
        ContentManifest manifest = Build(content, 4096, "naïve ☃.bin", "application/octet-stream");
        Assert.Equal((length + 4095) / 4096, manifest.ChunkCount);
        Assert.True(ContentManifest.TryParse(manifest.Encoded.Span, out ContentManifest? parsed, out string? error), error);
        Assert.Equal(manifest.Id, parsed!.Id);
        Assert.Equal(manifest.Encoded.ToArray(), parsed.Encoded.ToArray());
        Assert.Equal("naïve ☃.bin", parsed.Name);
        for (int i = 0; i < manifest.ChunkCount; i++)
        {
            Assert.True(parsed.VerifyChunk(content.AsSpan((int)parsed.GetChunkOffset(i), parsed.GetChunkLength(i)), i));
        }
    }

    [Fact]
    public void TryParse_RejectsEveryTruncationAndTrailingByte()
    {
        byte[] encoded = Convert.FromHexString(Vectors["manifest"]);
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.False(ContentManifest.TryParse(encoded.AsSpan(0, length), out ContentManifest? manifest, out string? error));
            Assert.Null(manifest);
            Assert.False(string.IsNullOrEmpty(error));
        }

        byte[] longer = [.. encoded, 0];
        Assert.False(ContentManifest.TryParse(longer, out _, out string? trailing));
        Assert.Contains("trailing", trailing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5354544302005000000000", "version")] // version 2
    [InlineData("5354544401005000000000", "magic")] // bad magic
    [InlineData("535454430100400000000000", "minimal")] // total length 0 in 2 bytes (wrong count too, but varint first)
    [InlineData("53545443010050000000", "ends")] // missing media type length
    [InlineData("5354544301004fff000000", "Chunk size")] // chunk size 4095
    [InlineData("53545443010080400001000000", "Chunk size")] // chunk size 4 MiB + 1
    [InlineData("5354544301005000010000", "Chunk count")] // 0 bytes but 1 chunk
    [InlineData("5354544301015000000000", "Chunk count")] // 1 byte but 0 chunks
    [InlineData("53545443010050000002ffff00", "UTF-8")] // invalid UTF-8 name
    [InlineData("53545443010050000000020a41", "ASCII")] // media type with a control byte
    [InlineData("5354544301005000008100010000", "Name length")] // name length 256
    public void TryParse_RejectsMalformed(string hex, string expected)
    {
        Assert.False(ContentManifest.TryParse(Convert.FromHexString(hex), out ContentManifest? manifest, out string? error));
        Assert.Null(manifest);
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TryParse_RejectsChunkCountAboveMaximum_WithoutReadingHashes()
    {
        // 4 KiB chunks, 524289 chunks: total = 524289 * 4096.
        long total = (ContentManifestFormat.MaxChunkCount + 1L) * 4096;
        byte[] header = [0x53, 0x54, 0x54, 0x43, 0x01, .. Varint(total), 0x50, 0x00, .. Varint(ContentManifestFormat.MaxChunkCount + 1L), 0x00, 0x00];
        Assert.False(ContentManifest.TryParse(header, out _, out string? error));
        Assert.Contains("exceeds", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_RandomBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            bool ok = ContentManifest.TryParse(bytes, out ContentManifest? manifest, out string? error);
            return ok ? manifest is not null && error is null : manifest is null && error is not null;
        }, iter: 20_000);
    }

    [Fact]
    public void TryParse_MutatedValidManifest_NeverThrows_AndAcceptedOnesAreCanonical()
    {
        byte[] valid = Convert.FromHexString(Vectors["manifest"]);
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 4].Sample(mutations =>
        {
            byte[] copy = (byte[])valid.Clone();
            foreach ((int index, byte value) in mutations)
            {
                copy[index] = value;
            }

            if (ContentManifest.TryParse(copy, out ContentManifest? manifest, out _))
            {
                return manifest!.Encoded.Span.SequenceEqual(copy);
            }

            return manifest is null;
        }, iter: 20_000);
    }

    [Fact]
    public void Builder_RejectsBadInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContentManifestBuilder(4095));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContentManifestBuilder(4 * 1024 * 1024 + 1));
        Assert.Throws<ArgumentException>(() => new ContentManifestBuilder(4096, new string('a', 256)));
        Assert.Throws<ArgumentException>(() => new ContentManifestBuilder(4096, null, "text/\u00e9"));
        Assert.Throws<ArgumentException>(() => new ContentManifestBuilder(4096, "\ud800"));
        using var builder = new ContentManifestBuilder(4096);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddChunk(new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddChunk(new byte[32], 4097));
        Assert.Throws<ArgumentException>(() => builder.AddChunk(new byte[31], 10));
        builder.AddChunk(new byte[32], 10);
        Assert.Throws<InvalidOperationException>(() => builder.AddChunk(new byte[32], 10));
    }

    [Fact]
    public void Builder_ManyChunks_GrowsPooledBuffer()
    {
        using var builder = new ContentManifestBuilder(4096);
        byte[] hash = new byte[32];
        for (int i = 0; i < 1000; i++)
        {
            hash[0] = (byte)i;
            hash[1] = (byte)(i >> 8);
            builder.AddChunk(hash, 4096);
        }

        ContentManifest manifest = builder.Build();
        Assert.Equal(1000, manifest.ChunkCount);
        Assert.Equal(4096000, manifest.TotalLength);
        Assert.Equal(999 & 0xFF, manifest.GetChunkHash(999)[0]);
        Assert.Equal(999 >> 8, manifest.GetChunkHash(999)[1]);
        Assert.True(ContentManifest.TryParse(manifest.Encoded.Span, out _, out _));
    }

    [Fact]
    public void ContentId_ParseFormatEquality()
    {
        string hex = Vectors["content id"];
        Assert.True(ContentId.TryParse(hex.ToUpperInvariant(), out ContentId upper));
        Assert.True(ContentId.TryParse(hex, out ContentId lower));
        Assert.Equal(hex, upper.ToString());
        Assert.True(upper == lower);
        Assert.Equal(upper.GetHashCode(), lower.GetHashCode());
        Assert.False(ContentId.TryParse(null, out _));
        Assert.False(ContentId.TryParse(hex[..62], out _));
        Assert.False(ContentId.TryParse(hex[..62] + "zz", out _));
        byte[] bytes = new byte[32];
        upper.CopyTo(bytes);
        Assert.Equal(upper, ContentId.FromHash(bytes));
        Assert.Throws<ArgumentException>(() => ContentId.FromHash(new byte[31]));
    }

    private static byte[] Varint(long value)
    {
        byte[] buffer = new byte[8];
        int length = Stt.Protocol.Encoding.Varint.Write(buffer, (ulong)value);
        return buffer[..length];
    }

    private static Dictionary<string, string> ReadVectors()
    {
        string text = File.ReadAllText(FindDocument("content.md"));
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

    // docs/content.md is not copied to the output; walk up from the test binary to the repository's docs folder.
    private static string FindDocument(string name)
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "docs", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"docs/{name} not found above {AppContext.BaseDirectory}.");
    }
}

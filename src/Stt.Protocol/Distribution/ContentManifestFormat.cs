using System.Text;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

// Content manifest (docs/content.md, "Manifest"); (vi) is a minimal QUIC varint.
//
// +-------------+---------+-------------------+-----------------+------------------+
// | "STTC" (4)  | 0x01    | total length (vi) | chunk size (vi) | chunk count (vi) |
// +-------------+---------+-------------------+-----------------+------------------+
// +---------------------------+-------------+---------------------------------+-------------------+
// | name length (vi), <= 255  | name (UTF-8)| media type length (vi), <= 127  | media type (ASCII)|
// +---------------------------+-------------+---------------------------------+-------------------+
// +---------------------------------+
// | chunk count x SHA-256 (32 each) |
// +---------------------------------+

/// <summary>Constants and limits of the content manifest format (docs/content.md, "Manifest").</summary>
public static class ContentManifestFormat
{
    /// <summary>The four magic bytes, "STTC".</summary>
    public static ReadOnlySpan<byte> Magic => "STTC"u8;

    /// <summary>The only version this implementation writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Smallest allowed chunk size, 4 KiB.</summary>
    public const int MinChunkSize = 4 * 1024;

    /// <summary>Largest allowed chunk size, 4 MiB.</summary>
    public const int MaxChunkSize = 4 * 1024 * 1024;

    /// <summary>The default chunk size, 256 KiB.</summary>
    public const int DefaultChunkSize = 256 * 1024;

    /// <summary>Length of one chunk hash (SHA-256).</summary>
    public const int HashLength = 32;

    /// <summary>Most chunks one manifest may list: 16 MiB worth of hashes (524,288 chunks).</summary>
    public const int MaxChunkCount = 16 * 1024 * 1024 / HashLength;

    /// <summary>Longest name, in UTF-8 bytes.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Longest media type, in bytes (printable ASCII, 0x20..0x7E).</summary>
    public const int MaxMediaTypeLength = 127;

    /// <summary>Bytes before the first varint: magic and version.</summary>
    internal const int PrefixLength = 5;

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether <paramref name="chunkSize"/> lies within <see cref="MinChunkSize"/>..<see cref="MaxChunkSize"/>.</summary>
    public static bool IsValidChunkSize(long chunkSize) => chunkSize is >= MinChunkSize and <= MaxChunkSize;

    /// <summary>The number of chunks content of <paramref name="totalLength"/> bytes is cut into: ceil(total / chunk size).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative length or a chunk size outside the allowed range.</exception>
    public static long GetChunkCount(long totalLength, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        if (!IsValidChunkSize(chunkSize))
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, $"The chunk size must lie within {MinChunkSize}..{MaxChunkSize}.");
        }

        return (long)(((ulong)totalLength + (ulong)chunkSize - 1) / (ulong)chunkSize);
    }

    /// <summary>Whether a media type is at most <see cref="MaxMediaTypeLength"/> bytes of printable ASCII.</summary>
    internal static bool IsValidMediaType(ReadOnlySpan<byte> mediaType)
    {
        if (mediaType.Length > MaxMediaTypeLength)
        {
            return false;
        }

        foreach (byte b in mediaType)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the header (everything before the chunk hashes) and returns its length.</summary>
    internal static int WriteHeader(Span<byte> destination, long totalLength, int chunkSize, int chunkCount,
        ReadOnlySpan<byte> name, ReadOnlySpan<byte> mediaType)
    {
        Magic.CopyTo(destination);
        destination[4] = Version;
        int offset = PrefixLength;
        offset += Varint.Write(destination[offset..], (ulong)totalLength);
        offset += Varint.Write(destination[offset..], (ulong)chunkSize);
        offset += Varint.Write(destination[offset..], (ulong)chunkCount);
        offset += Varint.Write(destination[offset..], (ulong)name.Length);
        name.CopyTo(destination[offset..]);
        offset += name.Length;
        offset += Varint.Write(destination[offset..], (ulong)mediaType.Length);
        mediaType.CopyTo(destination[offset..]);
        offset += mediaType.Length;
        return offset;
    }

    /// <summary>The length of the header <see cref="WriteHeader"/> writes.</summary>
    internal static int GetHeaderLength(long totalLength, int chunkSize, int chunkCount, int nameLength, int mediaTypeLength) =>
        PrefixLength
        + Varint.GetEncodedLength((ulong)totalLength)
        + Varint.GetEncodedLength((ulong)chunkSize)
        + Varint.GetEncodedLength((ulong)chunkCount)
        + Varint.GetEncodedLength((ulong)nameLength) + nameLength
        + Varint.GetEncodedLength((ulong)mediaTypeLength) + mediaTypeLength;
}

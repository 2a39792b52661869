using System.Buffers;
using System.Security.Cryptography;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

/// <summary>
/// The list of a content's chunks, in the canonical binary layout of docs/content.md ("Manifest"); the SHA-256 of
/// <see cref="Encoded"/> is the content's <see cref="Id"/>.
/// </summary>
/// <remarks>
/// <para>
/// Immutable. Obtained from <see cref="ContentManifestBuilder"/> or <see cref="TryParse"/>, both of which accept only
/// canonical manifests, so two equal manifests always have equal bytes and equal IDs.
/// </para>
/// <para>
/// Every chunk but the last is <see cref="ChunkSize"/> bytes long; the last holds the rest (1..ChunkSize bytes).
/// Empty content has no chunks.
/// </para>
/// </remarks>
public sealed class ContentManifest
{
    private readonly byte[] _encoded;
    private readonly int _hashesOffset;

    private ContentManifest(byte[] encoded, int hashesOffset, long totalLength, int chunkSize, int chunkCount, string? name, string? mediaType)
    {
        _encoded = encoded;
        _hashesOffset = hashesOffset;
        TotalLength = totalLength;
        ChunkSize = chunkSize;
        ChunkCount = chunkCount;
        Name = name;
        MediaType = mediaType;
        Span<byte> hash = stackalloc byte[ContentId.Length];
        SHA256.HashData(encoded, hash);
        Id = ContentId.FromHash(hash);
    }

    /// <summary>Length of the content in bytes.</summary>
    public long TotalLength { get; }

    /// <summary>Length of every chunk but the last, within 4 KiB..4 MiB.</summary>
    public int ChunkSize { get; }

    /// <summary>Number of chunks: ceil(<see cref="TotalLength"/> / <see cref="ChunkSize"/>).</summary>
    public int ChunkCount { get; }

    /// <summary>The content's name (for example a file name), or null when it has none.</summary>
    public string? Name { get; }

    /// <summary>The content's media type (printable ASCII), or null when it has none.</summary>
    public string? MediaType { get; }

    /// <summary>The canonical bytes of the manifest.</summary>
    public ReadOnlyMemory<byte> Encoded => _encoded;

    /// <summary>The content ID: SHA-256 of <see cref="Encoded"/>.</summary>
    public ContentId Id { get; }

    /// <summary>The SHA-256 of chunk <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..ChunkCount-1.</exception>
    public ReadOnlySpan<byte> GetChunkHash(int index)
    {
        CheckIndex(index);
        return _encoded.AsSpan(_hashesOffset + (index * ContentManifestFormat.HashLength), ContentManifestFormat.HashLength);
    }

    /// <summary>The offset of chunk <paramref name="index"/> in the content.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..ChunkCount-1.</exception>
    public long GetChunkOffset(int index)
    {
        CheckIndex(index);
        return (long)index * ChunkSize;
    }

    /// <summary>The length of chunk <paramref name="index"/>: <see cref="ChunkSize"/>, or less for the last chunk.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..ChunkCount-1.</exception>
    public int GetChunkLength(int index)
    {
        CheckIndex(index);
        return (int)Math.Min(ChunkSize, TotalLength - ((long)index * ChunkSize));
    }

    /// <summary>Whether <paramref name="chunk"/> is exactly chunk <paramref name="index"/>: same length and same SHA-256.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..ChunkCount-1.</exception>
    public bool VerifyChunk(ReadOnlySpan<byte> chunk, int index)
    {
        if (chunk.Length != GetChunkLength(index))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[ContentManifestFormat.HashLength];
        SHA256.HashData(chunk, hash);
        return hash.SequenceEqual(GetChunkHash(index));
    }

    /// <summary>Parses a manifest strictly.</summary>
    /// <param name="encoded">The manifest's bytes; copied, so the caller may reuse the buffer.</param>
    /// <param name="manifest">The manifest, when the bytes are valid.</param>
    /// <param name="error">Why the bytes were rejected, when they were.</param>
    /// <returns>
    /// <see langword="false"/>, without throwing, for anything but a canonical version-1 manifest: wrong magic or
    /// version, a truncated or non-minimal varint, a chunk size outside 4 KiB..4 MiB, a chunk count that is not
    /// ceil(total / chunk size) or exceeds <see cref="ContentManifestFormat.MaxChunkCount"/>, a name longer than 255
    /// bytes or not valid UTF-8, a media type longer than 127 bytes or not printable ASCII, and fewer or more hash
    /// bytes than the count requires. A zero-length name or media type means none (null).
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> encoded, out ContentManifest? manifest, out string? error)
    {
        manifest = null;
        if (encoded.Length < ContentManifestFormat.PrefixLength || !encoded[..4].SequenceEqual(ContentManifestFormat.Magic))
        {
            error = "The bytes do not start with the manifest magic \"STTC\".";
            return false;
        }

        if (encoded[4] != ContentManifestFormat.Version)
        {
            error = $"Unsupported manifest version {encoded[4]}.";
            return false;
        }

        int offset = ContentManifestFormat.PrefixLength;
        if (!TryReadVarint(encoded, ref offset, "total length", out ulong totalLength, out error)
            || !TryReadVarint(encoded, ref offset, "chunk size", out ulong chunkSize, out error)
            || !TryReadVarint(encoded, ref offset, "chunk count", out ulong chunkCount, out error))
        {
            return false;
        }

        if (!ContentManifestFormat.IsValidChunkSize((long)chunkSize))
        {
            error = $"Chunk size {chunkSize} is outside {ContentManifestFormat.MinChunkSize}..{ContentManifestFormat.MaxChunkSize}.";
            return false;
        }

        if (chunkCount > ContentManifestFormat.MaxChunkCount)
        {
            error = $"Chunk count {chunkCount} exceeds the maximum of {ContentManifestFormat.MaxChunkCount}.";
            return false;
        }

        // totalLength <= 2^62 - 1 and chunkSize <= 2^22, so the sum cannot overflow.
        ulong expectedCount = (totalLength + chunkSize - 1) / chunkSize;
        if (chunkCount != expectedCount)
        {
            error = $"Chunk count {chunkCount} does not match total length {totalLength} at chunk size {chunkSize} (expected {expectedCount}).";
            return false;
        }

        if (!TryReadVarint(encoded, ref offset, "name length", out ulong nameLength, out error))
        {
            return false;
        }

        if (nameLength > ContentManifestFormat.MaxNameLength || (int)nameLength > encoded.Length - offset)
        {
            error = nameLength > ContentManifestFormat.MaxNameLength
                ? $"Name length {nameLength} exceeds {ContentManifestFormat.MaxNameLength} bytes."
                : "The manifest ends inside the name.";
            return false;
        }

        string? name = null;
        if (nameLength > 0)
        {
            try
            {
                name = ContentManifestFormat.StrictUtf8.GetString(encoded.Slice(offset, (int)nameLength));
            }
            catch (System.Text.DecoderFallbackException)
            {
                error = "The name is not valid UTF-8.";
                return false;
            }

            offset += (int)nameLength;
        }

        if (!TryReadVarint(encoded, ref offset, "media type length", out ulong mediaTypeLength, out error))
        {
            return false;
        }

        if (mediaTypeLength > ContentManifestFormat.MaxMediaTypeLength || (int)mediaTypeLength > encoded.Length - offset)
        {
            error = mediaTypeLength > ContentManifestFormat.MaxMediaTypeLength
                ? $"Media type length {mediaTypeLength} exceeds {ContentManifestFormat.MaxMediaTypeLength} bytes."
                : "The manifest ends inside the media type.";
            return false;
        }

        string? mediaType = null;
        if (mediaTypeLength > 0)
        {
            ReadOnlySpan<byte> mediaTypeBytes = encoded.Slice(offset, (int)mediaTypeLength);
            if (!ContentManifestFormat.IsValidMediaType(mediaTypeBytes))
            {
                error = "The media type is not printable ASCII.";
                return false;
            }

            mediaType = System.Text.Encoding.ASCII.GetString(mediaTypeBytes);
            offset += (int)mediaTypeLength;
        }

        long hashBytes = (long)chunkCount * ContentManifestFormat.HashLength;
        if (encoded.Length - offset != hashBytes)
        {
            error = encoded.Length - offset < hashBytes
                ? $"The manifest ends inside the chunk hashes ({encoded.Length - offset} of {hashBytes} bytes)."
                : $"{encoded.Length - offset - hashBytes} trailing bytes after the chunk hashes.";
            return false;
        }

        manifest = new ContentManifest(encoded.ToArray(), offset, (long)totalLength, (int)chunkSize, (int)chunkCount, name, mediaType);
        error = null;
        return true;
    }

    /// <summary>Builds a manifest from validated parts; used by <see cref="ContentManifestBuilder"/>.</summary>
    internal static ContentManifest Create(long totalLength, int chunkSize, int chunkCount, ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> mediaType, ReadOnlySpan<byte> hashes, string? nameText, string? mediaTypeText)
    {
        int headerLength = ContentManifestFormat.GetHeaderLength(totalLength, chunkSize, chunkCount, name.Length, mediaType.Length);
        byte[] encoded = new byte[headerLength + hashes.Length];
        int written = ContentManifestFormat.WriteHeader(encoded, totalLength, chunkSize, chunkCount, name, mediaType);
        hashes.CopyTo(encoded.AsSpan(written));
        return new ContentManifest(encoded, written, totalLength, chunkSize, chunkCount, nameText, mediaTypeText);
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> encoded, ref int offset, string field, out ulong value, out string? error)
    {
        switch (Varint.TryRead(encoded[offset..], out value, out int length))
        {
            case OperationStatus.Done:
                offset += length;
                error = null;
                return true;
            case OperationStatus.NeedMoreData:
                error = $"The manifest ends inside the {field}.";
                return false;
            default:
                error = $"The {field} is not minimally encoded.";
                return false;
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)ChunkCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The manifest has {ChunkCount} chunks.");
        }
    }
}

using System.Buffers;
using System.Security.Cryptography;

namespace Stt.Protocol.Distribution;

/// <summary>
/// Builds a <see cref="ContentManifest"/> as chunks arrive: add each chunk's SHA-256 and length in order, then
/// <see cref="Build"/>.
/// </summary>
/// <remarks>
/// Every chunk but the last must be exactly <see cref="ChunkSize"/> bytes; once a shorter chunk has been added, no
/// further chunk is accepted. Hashes are kept in a buffer rented from <see cref="ArrayPool{T}.Shared"/>; dispose
/// the builder to return it. Not thread-safe.
/// </remarks>
public sealed class ContentManifestBuilder : IDisposable
{
    private readonly byte[] _name;
    private readonly byte[] _mediaType;
    private readonly string? _nameText;
    private readonly string? _mediaTypeText;
    private byte[] _hashes;
    private int _chunkCount;
    private long _totalLength;
    private bool _sawShortChunk;

    /// <summary>Starts a manifest.</summary>
    /// <param name="chunkSize">Length of every chunk but the last, within 4 KiB..4 MiB.</param>
    /// <param name="name">Optional name; null or empty means none. At most 255 UTF-8 bytes.</param>
    /// <param name="mediaType">Optional media type; null or empty means none. At most 127 bytes of printable ASCII.</param>
    /// <exception cref="ArgumentOutOfRangeException">The chunk size is outside 4 KiB..4 MiB.</exception>
    /// <exception cref="ArgumentException">The name or media type is too long or not encodable.</exception>
    public ContentManifestBuilder(int chunkSize, string? name = null, string? mediaType = null)
    {
        if (!ContentManifestFormat.IsValidChunkSize(chunkSize))
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize,
                $"The chunk size must lie within {ContentManifestFormat.MinChunkSize}..{ContentManifestFormat.MaxChunkSize}.");
        }

        ChunkSize = chunkSize;
        _nameText = string.IsNullOrEmpty(name) ? null : name;
        _mediaTypeText = string.IsNullOrEmpty(mediaType) ? null : mediaType;
        try
        {
            _name = _nameText is null ? [] : ContentManifestFormat.StrictUtf8.GetBytes(_nameText);
        }
        catch (System.Text.EncoderFallbackException ex)
        {
            throw new ArgumentException("The name is not valid UTF-16 (lone surrogate).", nameof(name), ex);
        }

        if (_name.Length > ContentManifestFormat.MaxNameLength)
        {
            throw new ArgumentException($"The name is {_name.Length} UTF-8 bytes; at most {ContentManifestFormat.MaxNameLength} are allowed.", nameof(name));
        }

        if (_mediaTypeText is not null
            && (_mediaTypeText.Length > ContentManifestFormat.MaxMediaTypeLength || _mediaTypeText.Any(c => c is < ' ' or > '~')))
        {
            throw new ArgumentException($"The media type must be at most {ContentManifestFormat.MaxMediaTypeLength} characters of printable ASCII.", nameof(mediaType));
        }

        _mediaType = _mediaTypeText is null ? [] : System.Text.Encoding.ASCII.GetBytes(_mediaTypeText);
        _hashes = [];
    }

    /// <summary>Length of every chunk but the last.</summary>
    public int ChunkSize { get; }

    /// <summary>Chunks added so far.</summary>
    public int ChunkCount => _chunkCount;

    /// <summary>Content bytes covered by the chunks added so far.</summary>
    public long TotalLength => _totalLength;

    /// <summary>Adds the next chunk by its SHA-256 and length.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 32 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is outside 1..ChunkSize.</exception>
    /// <exception cref="InvalidOperationException">
    /// A short (last) chunk was already added, the manifest already holds <see cref="ContentManifestFormat.MaxChunkCount"/>
    /// chunks, or the builder was disposed.
    /// </exception>
    public void AddChunk(ReadOnlySpan<byte> sha256, int length)
    {
        ObjectDisposedException.ThrowIf(_hashes is null, this);
        if (sha256.Length != ContentManifestFormat.HashLength)
        {
            throw new ArgumentException($"A chunk hash is {ContentManifestFormat.HashLength} bytes; got {sha256.Length}.", nameof(sha256));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ChunkSize);
        if (_sawShortChunk)
        {
            throw new InvalidOperationException("A chunk shorter than the chunk size must be the last one.");
        }

        if (_chunkCount == ContentManifestFormat.MaxChunkCount)
        {
            throw new InvalidOperationException($"A manifest lists at most {ContentManifestFormat.MaxChunkCount} chunks.");
        }

        int needed = (_chunkCount + 1) * ContentManifestFormat.HashLength;
        if (needed > _hashes.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _hashes.Length * 2));
            _hashes.AsSpan(0, _chunkCount * ContentManifestFormat.HashLength).CopyTo(larger);
            ReturnHashes();
            _hashes = larger;
        }

        sha256.CopyTo(_hashes.AsSpan(_chunkCount * ContentManifestFormat.HashLength));
        _chunkCount++;
        _totalLength += length;
        _sawShortChunk = length < ChunkSize;
    }

    /// <summary>Hashes <paramref name="chunk"/> and adds it as the next chunk (see <see cref="AddChunk"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The chunk is empty or longer than <see cref="ChunkSize"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="AddChunk"/>.</exception>
    public void AddChunkData(ReadOnlySpan<byte> chunk)
    {
        Span<byte> hash = stackalloc byte[ContentManifestFormat.HashLength];
        SHA256.HashData(chunk, hash);
        AddChunk(hash, chunk.Length);
    }

    /// <summary>Creates the manifest of the chunks added so far. The builder stays usable.</summary>
    /// <exception cref="ObjectDisposedException">The builder was disposed.</exception>
    public ContentManifest Build()
    {
        ObjectDisposedException.ThrowIf(_hashes is null, this);
        return ContentManifest.Create(_totalLength, ChunkSize, _chunkCount, _name, _mediaType,
            _hashes.AsSpan(0, _chunkCount * ContentManifestFormat.HashLength), _nameText, _mediaTypeText);
    }

    /// <summary>Returns the pooled hash buffer.</summary>
    public void Dispose()
    {
        if (_hashes is not null)
        {
            ReturnHashes();
            _hashes = null!;
        }
    }

    private void ReturnHashes()
    {
        if (_hashes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_hashes);
        }
    }
}

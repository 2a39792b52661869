using Stt.Protocol.Distribution;

namespace Stt.Server.Content;

/// <summary>Settings of the node's <see cref="ContentStore"/>.</summary>
public sealed class ContentStoreOptions
{
    /// <summary>The default largest content, 4 GiB.</summary>
    public const long DefaultMaxContentLength = 4L * 1024 * 1024 * 1024;

    /// <summary>Directory that holds manifests/, chunks/, tmp/ and quarantine/ (docs/content.md, section 3). Created if absent.</summary>
    public string RootDirectory { get; set; } = string.Empty;

    /// <summary>Chunk size for content added here, within 4 KiB..4 MiB; default 256 KiB.</summary>
    public int ChunkSize { get; set; } = ContentManifestFormat.DefaultChunkSize;

    /// <summary>Largest content accepted by an add or upload; default 4 GiB.</summary>
    public long MaxContentLength { get; set; } = DefaultMaxContentLength;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">
    /// <see cref="RootDirectory"/> is empty; <see cref="ChunkSize"/> is outside 4 KiB..4 MiB; <see cref="MaxContentLength"/> is
    /// not positive, or needs more than <see cref="ContentManifestFormat.MaxChunkCount"/> chunks at this chunk size
    /// (for example 4 GiB at 4 KiB chunks; lower the maximum or raise the chunk size).
    /// </exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RootDirectory))
        {
            throw new ArgumentException("The content store needs a root directory.", nameof(RootDirectory));
        }

        if (!ContentManifestFormat.IsValidChunkSize(ChunkSize))
        {
            throw new ArgumentException(
                $"Chunk size {ChunkSize} is outside {ContentManifestFormat.MinChunkSize}..{ContentManifestFormat.MaxChunkSize}.", nameof(ChunkSize));
        }

        if (MaxContentLength <= 0)
        {
            throw new ArgumentException("The maximum content length must be positive.", nameof(MaxContentLength));
        }

        if (ContentManifestFormat.GetChunkCount(MaxContentLength, ChunkSize) > ContentManifestFormat.MaxChunkCount)
        {
            throw new ArgumentException(
                $"A maximum content length of {MaxContentLength} bytes needs more than {ContentManifestFormat.MaxChunkCount} chunks of {ChunkSize} bytes.",
                nameof(MaxContentLength));
        }
    }
}

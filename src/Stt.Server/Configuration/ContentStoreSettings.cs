namespace Stt.Server.Configuration;

/// <summary>The content store (<c>Stt:Content</c>).</summary>
internal sealed class ContentStoreSettings
{
    /// <summary>The chunk size for new content, 4 KiB..4 MiB.</summary>
    public int ChunkSize { get; set; } = 256 * 1024;

    /// <summary>The largest content a peer or the admin API may add.</summary>
    public long MaxContentLength { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>The most content fetches served at once across all sessions; more get BUSY.</summary>
    public int MaxConcurrentFetches { get; set; } = 256;

    /// <summary>Whether peers may upload content over a stream (PUT_CONTENT); the admin API always may.</summary>
    public bool AllowPeerUploads { get; set; } = true;
}

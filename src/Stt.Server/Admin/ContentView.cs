using Stt.Protocol.Distribution;

namespace Stt.Server.Admin;

/// <summary>One content item as the admin API lists it.</summary>
internal sealed record ContentView(string Id, string? Name, string? MediaType, long Length, int ChunkSize, int ChunkCount)
{
    /// <summary>A view of a manifest.</summary>
    public static ContentView From(ContentManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new ContentView(manifest.Id.ToString(), manifest.Name, manifest.MediaType, manifest.TotalLength, manifest.ChunkSize, manifest.ChunkCount);
    }
}

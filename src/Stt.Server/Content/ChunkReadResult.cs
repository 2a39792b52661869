namespace Stt.Server.Content;

/// <summary>Result of <see cref="ContentStore.ReadChunkAsync"/>.</summary>
/// <param name="Status">Whether the chunk was served or why not.</param>
/// <param name="BytesRead">The chunk's length when <see cref="Status"/> is <see cref="ChunkReadStatus.Ok"/>; otherwise 0.</param>
public readonly record struct ChunkReadResult(ChunkReadStatus Status, int BytesRead)
{
    /// <summary>Whether the chunk was read and verified.</summary>
    public bool IsOk => Status == ChunkReadStatus.Ok;
}

namespace Stt.Server.Content;

/// <summary>Outcome of <see cref="ContentStore.ReadChunkAsync"/>.</summary>
public enum ChunkReadStatus
{
    /// <summary>The chunk was read and matches the manifest's length and SHA-256.</summary>
    Ok = 0,

    /// <summary>Integrity failure: the chunk file does not exist.</summary>
    Missing = 1,

    /// <summary>Integrity failure: the chunk file is shorter or longer than the manifest says (for example truncated).</summary>
    LengthMismatch = 2,

    /// <summary>Integrity failure: the chunk file has the right length but its SHA-256 differs (corrupted bytes).</summary>
    HashMismatch = 3,
}

namespace Stt.Protocol.Distribution;

/// <summary>What a distribution stream is for: the first byte of the client's request (docs/distribution.md, section 3).</summary>
public enum DistributionRequestKind : byte
{
    /// <summary>The client publishes messages to a live channel.</summary>
    Publish = 0x01,

    /// <summary>The client receives the messages of a live channel.</summary>
    Subscribe = 0x02,

    /// <summary>The client fetches the manifest of a piece of content.</summary>
    GetManifest = 0x03,

    /// <summary>The client fetches a run of chunks of a piece of content.</summary>
    GetChunks = 0x04,

    /// <summary>The client lists the content the node holds.</summary>
    ListContent = 0x05,

    /// <summary>The client uploads a piece of content.</summary>
    PutContent = 0x06,
}

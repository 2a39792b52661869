namespace Stt.Protocol.Distribution;

/// <summary>Fixed limits of the distribution protocol (docs/distribution.md).</summary>
public static class DistributionLimits
{
    /// <summary>Shortest channel name, in bytes.</summary>
    public const int MinChannelNameLength = 1;

    /// <summary>Longest channel name, in bytes.</summary>
    public const int MaxChannelNameLength = 128;

    /// <summary>Longest content name (PUT_CONTENT, listing entries), in UTF-8 bytes.</summary>
    public const int MaxContentNameLength = 255;

    /// <summary>Longest status message of a response header or ERROR message, in UTF-8 bytes.</summary>
    public const int MaxStatusMessageLength = 256;

    /// <summary>Largest chunk size a PUT_CONTENT request may declare: 16 MiB.</summary>
    public const ulong MaxChunkSize = 1 << 24;

    /// <summary>
    /// Longest valid request message, in bytes (a PUT_CONTENT with every field at its maximum);
    /// a server may refuse to buffer a longer first message.
    /// </summary>
    public const int MaxRequestLength = 1 + Encoding.Varint.MaxLength + Encoding.Varint.MaxLength + 1 + MaxContentNameLength;

    /// <summary>Longest response header or ERROR message, in bytes.</summary>
    public const int MaxResponseHeaderLength = 1 + 1 + 2 + MaxStatusMessageLength;
}

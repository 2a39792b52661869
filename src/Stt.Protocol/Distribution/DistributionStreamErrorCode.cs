namespace Stt.Protocol.Distribution;

/// <summary>
/// Application error codes carried by RESET_STREAM and STOP_SENDING on distribution streams
/// (docs/distribution.md, section 6). They lie in the application range of <see cref="ProtocolErrorCode"/>.
/// </summary>
public enum DistributionStreamErrorCode : ulong
{
    /// <summary>The sender no longer wants the stream (unsubscribe, abandoned download or upload).</summary>
    Cancelled = 0x100,

    /// <summary>The peer sent a message that does not parse (a bad response header or tag, a bad chunk message).</summary>
    Malformed = 0x101,

    /// <summary>The peer announced a message longer than the receiver accepts.</summary>
    TooLarge = 0x102,

    /// <summary>The server abandons a subscriber stream whose backlog it cannot deliver.</summary>
    SlowConsumer = 0x103,

    /// <summary>The node is shutting down.</summary>
    ShuttingDown = 0x104,

    /// <summary>The sender hit an internal fault.</summary>
    InternalError = 0x105,
}

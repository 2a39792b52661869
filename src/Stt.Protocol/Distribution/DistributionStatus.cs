namespace Stt.Protocol.Distribution;

/// <summary>
/// Status codes of response headers and ERROR messages (docs/distribution.md, section 5). Every code but
/// <see cref="Ok"/> ends the stream: the server sends it and then finishes its direction.
/// </summary>
/// <remarks>A reader accepts any byte here; a client treats a value it does not know like <see cref="InternalError"/>.</remarks>
public enum DistributionStatus : byte
{
    /// <summary>The request is accepted; data follows.</summary>
    Ok = 0x00,

    /// <summary>The request (or a later client message) could not be parsed or broke a field rule.</summary>
    MalformedRequest = 0x01,

    /// <summary>The request kind byte is not one this server knows.</summary>
    UnknownKind = 0x02,

    /// <summary>The channel does not exist (SUBSCRIBE to a channel nobody publishes).</summary>
    UnknownChannel = 0x03,

    /// <summary>The node holds no content with that ID.</summary>
    UnknownContent = 0x04,

    /// <summary>The client's identity may not do this.</summary>
    NotAuthorised = 0x05,

    /// <summary>A message, an upload or a request exceeds a limit of the server.</summary>
    TooLarge = 0x06,

    /// <summary>The subscriber fell too far behind and the server gave up on this stream.</summary>
    SlowConsumer = 0x07,

    /// <summary>Stored or uploaded data does not match its hash or its declared length.</summary>
    IntegrityFailure = 0x08,

    /// <summary>The server is at a limit (streams, publishers of the channel, uploads); the client may retry later.</summary>
    Busy = 0x09,

    /// <summary>The node is shutting down.</summary>
    ShuttingDown = 0x0A,

    /// <summary>The server hit an internal fault.</summary>
    InternalError = 0x0B,

    /// <summary>The chunk range is empty or reaches past the content's last chunk, or the listing cursor is unusable.</summary>
    InvalidRange = 0x0C,
}

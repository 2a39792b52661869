namespace Stt.Protocol.Encoding;

/// <summary>
/// Why <see cref="FrameScanner"/> rejected a frame header (docs/protocol.md, sections 3 to 5).
/// </summary>
/// <remarks>
/// The scanner checks the header fields in wire order (type, flags, sequence, body length, stream ID) and reports
/// the first one that breaks a rule, so a frame gets the same reason however many of its bytes have arrived.
/// The set of values is small and fixed, which makes it safe to use as a metric tag when counting dropped frames.
/// </remarks>
public enum FrameViolation : byte
{
    /// <summary>The frame is not invalid (the scan returned <c>Done</c> or <c>NeedMoreData</c>).</summary>
    None = 0,

    /// <summary>The type byte is not one of the five version 1 types (0x06, fan-out, is reserved and invalid).</summary>
    UnknownType = 1,

    /// <summary>A flag bit other than KEY_PHASE, FIN and FROM_RESPONDER is set; this includes CHANNEL_SEALED (0x80).</summary>
    ReservedFlags = 2,

    /// <summary>A defined flag is set on a type that does not allow it (for example FIN on CONTROL).</summary>
    FlagNotAllowedForType = 3,

    /// <summary>A HANDSHAKE or AUTH frame has a sequence number other than 0.</summary>
    NonZeroSequence = 4,

    /// <summary>
    /// The body length exceeds the receiver's limit (the configured maximum, never more than 2 MiB),
    /// or an AUTH body is longer than 112 bytes.
    /// </summary>
    BodyTooLarge = 5,

    /// <summary>An encrypted body (DATA, CONTROL, STREAM_CONTROL) is shorter than the 16-byte tag, or an AUTH body is shorter than 112 bytes.</summary>
    BodyTooShort = 6,

    /// <summary>The stream ID exceeds 65,535 (including any 8-byte varint).</summary>
    StreamIdTooLarge = 7,

    /// <summary>The stream ID varint is longer than the shortest encoding of its value.</summary>
    NonMinimalVarint = 8,

    /// <summary>The stream ID is not allowed for the type: HANDSHAKE, CONTROL and AUTH need 0; DATA and STREAM_CONTROL need 1 to 65,535.</summary>
    BadStreamIdForType = 9,
}

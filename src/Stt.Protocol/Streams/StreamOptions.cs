namespace Stt.Protocol.Streams;

/// <summary>Stream limits and flow-control windows of one session.</summary>
/// <remarks>
/// The protocol fixes the limits each peer assumes before any MAX_* message (docs/protocol.md, section 11):
/// <see cref="InitialMaxStreams"/>, <see cref="InitialStreamWindow"/> and <see cref="InitialSessionWindow"/>. A
/// receiver cannot go below them, so the options cannot either; larger values are advertised with MAX_STREAMS,
/// MAX_STREAM_DATA and MAX_DATA as soon as they apply.
/// </remarks>
public sealed record StreamOptions
{
    /// <summary>Streams each peer may open before any MAX_STREAMS: 100.</summary>
    public const int InitialMaxStreams = 100;

    /// <summary>Offset limit of every stream before any MAX_STREAM_DATA: 262,144 bytes.</summary>
    public const int InitialStreamWindow = 262_144;

    /// <summary>Session-wide byte limit before any MAX_DATA: 1,048,576 bytes.</summary>
    public const int InitialSessionWindow = 1_048_576;

    /// <summary>Largest window, buffer or message length the options accept: 1 GiB.</summary>
    public const int MaxConfigurableSize = 1 << 30;

    /// <summary>Smallest <see cref="SendBufferLimit"/>: room for the longest message-length prefix and some bytes.</summary>
    public const int MinSendBufferLimit = 64;

    /// <summary>The defaults.</summary>
    public static StreamOptions Default { get; } = new();

    /// <summary>How many streams the peer may have open at once; the MAX_STREAMS credit keeps this many ahead of the streams that closed.</summary>
    /// <remarks>
    /// Defaults to 100; at least <see cref="InitialMaxStreams"/> and at most 32,768 (the size of the stream ID space of one parity).
    /// Security: each open stream can hold up to <see cref="StreamReceiveWindow"/> of unread data and a message being
    /// reassembled, so this bounds a peer's claim on memory together with the windows.
    /// </remarks>
    public int MaxIncomingStreams { get; init; } = InitialMaxStreams;

    /// <summary>How many unread bytes each stream may have in flight towards us (its flow-control window and reorder buffer).</summary>
    /// <remarks>
    /// Defaults to 262,144; at least <see cref="InitialStreamWindow"/>. Security: out-of-order data is buffered only
    /// within this window, in pooled segments allocated as data arrives.
    /// </remarks>
    public int StreamReceiveWindow { get; init; } = InitialStreamWindow;

    /// <summary>How many unread bytes all streams together may have in flight towards us.</summary>
    /// <remarks>
    /// Defaults to 1,048,576; at least <see cref="InitialSessionWindow"/>. Security: bounds the receive buffers of the
    /// whole session (except messages being reassembled, see <see cref="MaxMessageLength"/>).
    /// </remarks>
    public int SessionReceiveWindow { get; init; } = InitialSessionWindow;

    /// <summary>How many bytes the application may have queued on one stream that the peer has not acknowledged yet.</summary>
    /// <remarks>Defaults to 1,048,576 (1 MiB); at least <see cref="MinSendBufferLimit"/>. Writes beyond it are refused, never buffered.</remarks>
    public int SendBufferLimit { get; init; } = 1_048_576;

    /// <summary>The longest message (length-prefixed, docs/protocol.md, section 11) this side sends or accepts.</summary>
    /// <remarks>
    /// Defaults to 16,777,216 (16 MiB). A longer incoming length prefix closes the session with
    /// <see cref="ProtocolErrorCode.FrameSizeError"/> before anything is buffered. Security: a message being reassembled
    /// is held outside the flow-control window, growing only as its bytes arrive, so the worst case per session is
    /// <see cref="MaxIncomingStreams"/> × this value.
    /// </remarks>
    public int MaxMessageLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Throws when a value is outside the range its documentation gives.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxIncomingStreams, InitialMaxStreams, nameof(MaxIncomingStreams));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxIncomingStreams, 32_768, nameof(MaxIncomingStreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(StreamReceiveWindow, InitialStreamWindow, nameof(StreamReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(StreamReceiveWindow, MaxConfigurableSize, nameof(StreamReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(SessionReceiveWindow, InitialSessionWindow, nameof(SessionReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SessionReceiveWindow, MaxConfigurableSize, nameof(SessionReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendBufferLimit, MinSendBufferLimit, nameof(SendBufferLimit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SendBufferLimit, MaxConfigurableSize, nameof(SendBufferLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMessageLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMessageLength, MaxConfigurableSize, nameof(MaxMessageLength));
    }
}

namespace Stt.Protocol.Streams;

/// <summary>What a <see cref="StreamEvent"/> reports.</summary>
public enum StreamEventKind
{
    /// <summary>The peer opened the stream. Accept it: read from it, write to it, and finish or reset it when done.</summary>
    Opened,

    /// <summary>New in-order data, the end of the stream, or a peer reset can be read.</summary>
    Readable,

    /// <summary>Send-buffer space freed after a write came up short or found the buffer full.</summary>
    Writable,

    /// <summary>
    /// The peer sent STOP_SENDING; the send direction was reset with <see cref="StreamEvent.ErrorCode"/>. Dequeuing this
    /// event counts as the application having seen the abort, so the stream may close without a further write.
    /// </summary>
    Stopped,

    /// <summary>The stream closed and was removed from the tables.</summary>
    Closed,

    /// <summary>
    /// The peer raised MAX_STREAMS after <see cref="StreamManager.TryOpenStream"/> had failed; opening may now succeed.
    /// <see cref="StreamEvent.StreamId"/> is 0.
    /// </summary>
    StreamsAvailable,

    /// <summary>
    /// The peer sent DISCARD: it gave up messages of a live stream and reading resumes at the next whole message after
    /// them (docs/protocol.md, section 11). Coalesced like <see cref="Readable"/>; <see cref="StreamManager.BytesSkipped"/>
    /// counts the bytes skipped.
    /// </summary>
    Skipped,
}

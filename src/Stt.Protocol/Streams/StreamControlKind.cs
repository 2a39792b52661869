namespace Stt.Protocol.Streams;

/// <summary>Which control message a <see cref="StreamControlItem"/> asks the session to send.</summary>
/// <remarks>These are not wire values: the CONTROL and STREAM_CONTROL codecs map them to message kinds.</remarks>
public enum StreamControlKind
{
    /// <summary>MAX_DATA in a CONTROL frame (docs/protocol.md, section 9). <see cref="StreamControlItem.Value"/> is the maximum.</summary>
    MaxData = 1,

    /// <summary>MAX_STREAMS in a CONTROL frame (section 9). <see cref="StreamControlItem.Value"/> is the maximum.</summary>
    MaxStreams,

    /// <summary>MAX_STREAM_DATA in a STREAM_CONTROL frame (section 10). <see cref="StreamControlItem.Value"/> is the maximum.</summary>
    MaxStreamData,

    /// <summary>
    /// RESET_STREAM in a STREAM_CONTROL frame (section 10). <see cref="StreamControlItem.ErrorCode"/> is the application
    /// error code, <see cref="StreamControlItem.Value"/> the final size.
    /// </summary>
    ResetStream,

    /// <summary>STOP_SENDING in a STREAM_CONTROL frame (section 10). <see cref="StreamControlItem.ErrorCode"/> is the application error code.</summary>
    StopSending,

    /// <summary>
    /// DISCARD in a STREAM_CONTROL frame (section 10), sent on a live stream. <see cref="StreamControlItem.Value"/> is the
    /// message boundary below which the peer skips every byte.
    /// </summary>
    Discard,
}

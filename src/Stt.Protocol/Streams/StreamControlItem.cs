namespace Stt.Protocol.Streams;

/// <summary>A flow-control or stream-control message the stream layer wants sent.</summary>
/// <remarks>
/// Drained with <see cref="StreamManager.TryGetPendingControl"/>. Keep the item with the frame that carried it: when
/// loss recovery declares that frame lost, hand the item back through <see cref="StreamManager.OnControlLost"/>, which
/// requeues it only while it still matters (a newer MAX value supersedes an older one).
/// </remarks>
/// <param name="Kind">The message.</param>
/// <param name="StreamId">The target stream for the STREAM_CONTROL kinds; 0 for <see cref="StreamControlKind.MaxData"/> and <see cref="StreamControlKind.MaxStreams"/>.</param>
/// <param name="Value">The maximum for the MAX kinds; the final size for <see cref="StreamControlKind.ResetStream"/>; the skip offset for <see cref="StreamControlKind.Discard"/>; 0 for <see cref="StreamControlKind.StopSending"/>.</param>
/// <param name="ErrorCode">The application error code for <see cref="StreamControlKind.ResetStream"/> and <see cref="StreamControlKind.StopSending"/>; otherwise 0.</param>
public readonly record struct StreamControlItem(StreamControlKind Kind, int StreamId, ulong Value, ulong ErrorCode)
{
    /// <summary>A MAX_DATA message.</summary>
    public static StreamControlItem MaxData(ulong maximum) => new(StreamControlKind.MaxData, 0, maximum, 0);

    /// <summary>A MAX_STREAMS message.</summary>
    public static StreamControlItem MaxStreams(ulong maximum) => new(StreamControlKind.MaxStreams, 0, maximum, 0);

    /// <summary>A MAX_STREAM_DATA message.</summary>
    public static StreamControlItem MaxStreamData(int streamId, ulong maximum) =>
        new(StreamControlKind.MaxStreamData, streamId, maximum, 0);

    /// <summary>A RESET_STREAM message.</summary>
    public static StreamControlItem ResetStream(int streamId, ulong errorCode, ulong finalSize) =>
        new(StreamControlKind.ResetStream, streamId, finalSize, errorCode);

    /// <summary>A STOP_SENDING message.</summary>
    public static StreamControlItem StopSending(int streamId, ulong errorCode) =>
        new(StreamControlKind.StopSending, streamId, 0, errorCode);

    /// <summary>A DISCARD message: the peer skips every byte of the stream below <paramref name="offset"/>.</summary>
    public static StreamControlItem Discard(int streamId, ulong offset) =>
        new(StreamControlKind.Discard, streamId, offset, 0);
}

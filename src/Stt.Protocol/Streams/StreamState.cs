namespace Stt.Protocol.Streams;

/// <summary>The life cycle of a stream (docs/protocol.md, section 11, "States").</summary>
public enum StreamState
{
    /// <summary>Allocated locally by <see cref="StreamManager.TryOpenStream"/>; no frame sent or received for it yet.</summary>
    Created,

    /// <summary>A frame naming the stream was sent or received; both directions are still running.</summary>
    Open,

    /// <summary>One direction has finished: FIN sent or received, or a reset sent or received.</summary>
    Closing,

    /// <summary>Both directions finished and all sent data acknowledged; the stream is gone from the tables.</summary>
    Closed,
}

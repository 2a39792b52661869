namespace Stt.Protocol.Streams;

/// <summary>Outcome of <see cref="StreamManager.Write"/>, <see cref="StreamManager.WriteMessage"/> and <see cref="StreamManager.BeginMessage"/>.</summary>
public enum StreamWriteStatus
{
    /// <summary>
    /// Accepted. For <see cref="StreamManager.Write"/>, possibly only part of the bytes (see its <c>bytesWritten</c>);
    /// a <see cref="StreamEventKind.Writable"/> event follows when space frees.
    /// </summary>
    Success,

    /// <summary>Nothing was accepted: the send buffer is full. A <see cref="StreamEventKind.Writable"/> event follows when the write can fit.</summary>
    BufferFull,

    /// <summary>
    /// The peer asked us to stop sending (STOP_SENDING); the stream's send direction was reset with the peer's code
    /// (<see cref="StreamInfo.StopSendingErrorCode"/>). Nothing was accepted and nothing more will be.
    /// </summary>
    Aborted,
}

namespace Stt.Protocol.Streams;

/// <summary>Outcome of <see cref="StreamManager.Read"/> and <see cref="StreamManager.ReadMessage"/>.</summary>
public enum StreamReadStatus
{
    /// <summary>Bytes or a whole message were delivered.</summary>
    Success,

    /// <summary>Nothing can be delivered yet. A <see cref="StreamEventKind.Readable"/> event follows when that changes.</summary>
    Pending,

    /// <summary>The peer finished the stream and every byte has been delivered.</summary>
    EndOfStream,

    /// <summary>The peer reset the stream; undelivered data was discarded. The code is in <see cref="StreamInfo.ResetErrorCode"/>.</summary>
    Reset,
}

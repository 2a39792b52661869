namespace Stt.Protocol.Streams.Internal;

/// <summary>Where the receiving direction of a stream is.</summary>
internal enum ReceivePhase
{
    /// <summary>Data is buffered for the application.</summary>
    Receiving,

    /// <summary>The application called StopSending: data is counted for flow control and dropped until the final size is known.</summary>
    Stopped,

    /// <summary>The peer reset the stream; the application has not been told yet.</summary>
    ResetReceived,

    /// <summary>Finished: every byte up to the final size read, or the reset reported, or the final size known after StopSending.</summary>
    Done,
}

namespace Stt.Protocol.Streams.Internal;

/// <summary>One live stream: both directions plus the flags that keep it at most once in each scheduling and event queue.</summary>
internal sealed class StreamEntry : IDisposable
{
    public StreamEntry(int id, bool isLocal, StreamState state, SendHalf send, ReceiveHalf receive)
    {
        Id = id;
        IsLocal = isLocal;
        State = state;
        Send = send;
        Receive = receive;
    }

    public int Id { get; }

    public bool IsLocal { get; }

    public StreamState State { get; set; }

    public SendHalf Send { get; }

    public ReceiveHalf Receive { get; }

    /// <summary>Set when the stream leaves the tables; queues drop such entries lazily.</summary>
    public bool Removed { get; set; }

    public bool InSendQueue { get; set; }

    public bool InRetransmitQueue { get; set; }

    public bool InMaxStreamDataQueue { get; set; }

    public bool ReadableQueued { get; set; }

    public bool WritableQueued { get; set; }

    public bool SkippedQueued { get; set; }

    /// <summary>Free send-buffer bytes the application is waiting for; 0 when it is not waiting.</summary>
    public int WritableThreshold { get; set; }

    public void Dispose()
    {
        Send.Dispose();
        Receive.Dispose();
    }
}

namespace Stt.Protocol.Streams.Internal;

/// <summary>The receiving direction of one stream: reorder buffer, flow-control limit, final size and message reassembly.</summary>
/// <remarks>
/// <see cref="Highest"/> (or the final size, once known) is what the peer has used of this stream's credit and is what
/// counts toward the session limit. <see cref="Credited"/> is what has left the window (read, moved into a message, or
/// discarded) and so may be offered back to the peer as new credit.
/// </remarks>
internal sealed class ReceiveHalf : IDisposable
{
    private MessageAssembler? _message;

    public ReceiveHalf(int window, ulong limit)
    {
        Buffer = new ReceiveBuffer(window);
        Limit = limit;
    }

    public ReceiveBuffer Buffer { get; }

    public ReceivePhase Phase { get; set; }

    /// <summary>The MAX_STREAM_DATA value we advertised (or the protocol's initial limit).</summary>
    public ulong Limit { get; set; }

    /// <summary>Highest offset + 1 the peer has sent.</summary>
    public ulong Highest { get; set; }

    public bool FinalKnown { get; private set; }

    public ulong FinalSize { get; private set; }

    /// <summary>Bytes that have left the window and were credited back to the session.</summary>
    public ulong Credited { get; set; }

    public ulong? ResetCode { get; set; }

    /// <summary>The highest DISCARD offset the peer sent: reading jumps there once nothing whole is readable before it.</summary>
    public ulong SkipTo { get; set; }

    /// <summary>Whether the application called StopSending; reads are refused from then on.</summary>
    public bool StopRequested { get; set; }

    /// <summary>The message being reassembled, created on first use.</summary>
    public MessageAssembler Message => _message ??= new MessageAssembler();

    public bool HasPartialMessage => _message is { IsActive: true };

    public long BufferedBytes => Phase is ReceivePhase.Receiving ? Buffer.BufferedBytes + (_message?.Received ?? 0) : 0;

    /// <summary>Whether every byte up to the final size has been read (or moved into a completed message).</summary>
    public bool AllRead => FinalKnown && Buffer.ReadOffset == FinalSize && !HasPartialMessage;

    public void SetFinalSize(ulong finalSize)
    {
        FinalKnown = true;
        FinalSize = finalSize;
    }

    /// <summary>Drops buffered bytes and any partial message; nothing is stored afterwards.</summary>
    public void Discard()
    {
        Buffer.Dispose();
        _message?.Dispose();
    }

    public void Dispose() => Discard();
}

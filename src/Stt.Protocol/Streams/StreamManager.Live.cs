using Stt.Protocol.Streams.Internal;

namespace Stt.Protocol.Streams;

/// <summary>Live mode (docs/protocol.md, section 11): dropping messages past their deadline, and DISCARD from the peer.</summary>
public sealed partial class StreamManager
{
    /// <summary>Messages this side gave up on its live streams because they were older than the deadline.</summary>
    public long MessagesDiscarded { get; private set; }

    /// <summary>Bytes (length prefixes included) this side gave up on its live streams that the peer had not acknowledged.</summary>
    public long BytesDiscarded { get; private set; }

    /// <summary>Stream bytes the peer's DISCARD messages made this side skip: never delivered to the application.</summary>
    /// <remarks>Counted from the start of the first undelivered message, so the bytes of a partly reassembled message are included.</remarks>
    public long BytesSkipped { get; private set; }

    /// <summary>The peer sent DISCARD: it will not send any byte of the stream below <paramref name="offset"/> (again).</summary>
    /// <remarks>
    /// When <paramref name="offset"/> is past what the application has been given, the bytes below it are dropped along
    /// with any partly reassembled message, reading resumes at <paramref name="offset"/> (a message boundary), the
    /// dropped bytes are credited back as if read, and a <see cref="StreamEventKind.Skipped"/> event is queued. Data
    /// that arrives later below the offset is ignored. An offset at or below the read position changes nothing.
    /// Frames for streams that have closed are ignored.
    /// </remarks>
    /// <exception cref="ProtocolViolationException">
    /// <see cref="ProtocolErrorCode.FinalSizeError"/>: the offset is beyond the known final size;
    /// <see cref="ProtocolErrorCode.FlowControlError"/>: it passes the stream's or the session's limit; and the stream ID
    /// errors of <see cref="OnData"/>.
    /// </exception>
    public void OnDiscard(int streamId, ulong offset)
    {
        StreamEntry? entry = ResolvePeerFrame(streamId);
        if (entry is null)
        {
            return;
        }

        ReceiveHalf receive = entry.Receive;
        if (receive.FinalKnown && offset > receive.FinalSize)
        {
            ThrowProtocol(
                ProtocolErrorCode.FinalSizeError,
                $"DISCARD on stream {streamId} skips to {offset}, beyond its final size {receive.FinalSize}.");
        }

        // Skipped bytes use credit as if they had been sent: the peer may not skip past its limits.
        AccountReceived(entry, offset);
        MarkOpen(entry);
        switch (receive.Phase)
        {
            case ReceivePhase.Receiving:
                ulong readOffset = receive.Buffer.ReadOffset;
                if (offset <= readOffset)
                {
                    return;
                }

                ulong delivered = readOffset;
                if (receive.HasPartialMessage)
                {
                    delivered = receive.Message.StartOffset;
                    receive.Message.Dispose();
                }

                receive.Buffer.DiscardTo(offset);
                BytesSkipped += (long)(offset - delivered);
                CreditTo(entry, offset);
                if (!entry.SkippedQueued)
                {
                    entry.SkippedQueued = true;
                    _events.Enqueue(new StreamEvent(StreamEventKind.Skipped, streamId));
                }

                SignalReadable(entry);
                CompleteIfAllRead(entry);
                break;
            case ReceivePhase.Stopped:
                CreditTo(entry, receive.Highest);
                break;
            default:
                break;
        }
    }

    private void RecordLiveMessage(SendHalf send, ulong start)
    {
        if (send.IsLive)
        {
            send.RecordMessage(start, send.WriteOffset + (ulong)send.MessageRemaining, _time.GetTimestamp());
        }
    }

    /// <summary>Gives up the expired messages of every live stream that has lost or unsent data among them.</summary>
    private void ExpireLiveStreams()
    {
        if (_liveStreams.Count == 0)
        {
            return;
        }

        long now = _time.GetTimestamp();
        foreach (StreamEntry entry in _liveStreams)
        {
            ExpireLive(entry, now);
        }
    }

    private void ExpireLive(StreamEntry entry, long now)
    {
        SendHalf send = entry.Send;
        if (!send.TryDiscardExpired(now, _sessionSendLimit - _sessionSent, out ulong skippedUnsent, out int messages, out long bytes))
        {
            return;
        }

        _sessionSent += skippedUnsent;
        MessagesDiscarded += messages;
        BytesDiscarded += bytes;
        if (!send.DiscardQueued)
        {
            send.DiscardQueued = true;
            _controlQueue.Enqueue(StreamControlItem.Discard(entry.Id, send.DiscardOffset));
        }

        SignalWritableIfRoom(entry);
    }
}

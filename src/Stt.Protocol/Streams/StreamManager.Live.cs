using System.Buffers;
using Stt.Protocol.Encoding;
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
    /// Whole messages already received below <paramref name="offset"/> are still delivered; once the next message
    /// cannot complete from what arrived, reading jumps to <paramref name="offset"/> (a message boundary): the bytes
    /// below it are dropped along with any partly reassembled message, credited back as if read, and ignored if they
    /// arrive later, and a <see cref="StreamEventKind.Skipped"/> event is queued. An offset at or below the read position
    /// changes nothing. Frames for streams that have closed are ignored.
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
                if (offset <= Math.Max(receive.SkipTo, receive.Buffer.ReadOffset))
                {
                    return;
                }

                receive.SkipTo = offset;
                if (ApplySkipIfBlocked(entry, wholeMessages: true))
                {
                    SignalReadable(entry);
                }

                break;
            case ReceivePhase.Stopped:
                CreditTo(entry, receive.Highest);
                break;
            default:
                break;
        }
    }

    /// <summary>Skips toward the peer's DISCARD offset while the reader has nothing whole to read before it.</summary>
    /// <param name="entry">The stream.</param>
    /// <param name="wholeMessages">Whether the reader takes messages (blocked until the next one is complete) rather than bytes.</param>
    /// <returns>Whether the read position moved.</returns>
    /// <remarks>
    /// Only what the reader would otherwise wait for is skipped. When the length prefix of the blocking message has
    /// arrived, just that message is skipped and reading resumes at the boundary after it, so whole messages received
    /// between gaps are still delivered (a newer DISCARD supersedes a lost older one, and the sender cannot know which
    /// of the messages between them arrived). Otherwise reading jumps to the DISCARD offset itself. Skipped bytes are
    /// dropped, with any partly reassembled message, credited back as if read, and ignored if they arrive later.
    /// </remarks>
    private bool ApplySkipIfBlocked(StreamEntry entry, bool wholeMessages)
    {
        ReceiveHalf receive = entry.Receive;
        bool moved = false;
        while (receive.Phase == ReceivePhase.Receiving && receive.SkipTo > receive.Buffer.ReadOffset)
        {
            ulong readOffset = receive.Buffer.ReadOffset;
            ulong target = receive.SkipTo;
            ulong delivered = readOffset;
            if (wholeMessages)
            {
                if (IsWholeMessageReadable(receive, out ulong messageEnd))
                {
                    break;
                }

                target = Math.Min(target, messageEnd);
            }
            else if (receive.Buffer.Available > 0)
            {
                break;
            }

            if (receive.HasPartialMessage)
            {
                delivered = receive.Message.StartOffset;
                receive.Message.Dispose();
            }

            receive.Buffer.DiscardTo(target);
            BytesSkipped += (long)(target - delivered);
            CreditTo(entry, target);
            moved = true;
            CompleteIfAllRead(entry);
        }

        if (moved && !entry.SkippedQueued)
        {
            entry.SkippedQueued = true;
            _events.Enqueue(new StreamEvent(StreamEventKind.Skipped, entry.Id));
        }

        return moved;
    }

    /// <summary>Whether the next message can be read whole now; if not, where it ends when its length is known.</summary>
    /// <param name="receive">The receiving direction.</param>
    /// <param name="messageEnd">The boundary after the blocking message, or <see cref="ulong.MaxValue"/> when its length prefix has not arrived.</param>
    private bool IsWholeMessageReadable(ReceiveHalf receive, out ulong messageEnd)
    {
        ReceiveBuffer buffer = receive.Buffer;
        messageEnd = ulong.MaxValue;
        if (receive.HasPartialMessage)
        {
            messageEnd = receive.Message.EndOffset;
            return buffer.ContiguousEnd >= messageEnd;
        }

        Span<byte> prefix = stackalloc byte[Varint.MaxLength];
        int peeked = buffer.Peek(prefix);
        if (peeked == 0 || peeked < Varint.GetLengthFromFirstByte(prefix[0]))
        {
            return false;
        }

        // A malformed or oversized prefix counts as readable, so that the read reports the violation rather than skipping it.
        if (Varint.TryRead(prefix[..peeked], out ulong length, out int prefixLength) != OperationStatus.Done ||
            length > (ulong)_options.MaxMessageLength)
        {
            return true;
        }

        messageEnd = buffer.ReadOffset + (ulong)prefixLength + length;
        return buffer.ContiguousEnd >= messageEnd;
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

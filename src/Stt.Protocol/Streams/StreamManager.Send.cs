using System.Diagnostics.CodeAnalysis;
using Stt.Protocol.Encoding;
using Stt.Protocol.Streams.Internal;

namespace Stt.Protocol.Streams;

/// <summary>Send side: application writes, DATA frame filling, acknowledgements and losses, peer credit.</summary>
public sealed partial class StreamManager
{
    private readonly Queue<StreamEntry> _sendQueue = new();
    private readonly Queue<StreamEntry> _retransmitQueue = new();
    private ulong _sessionSendLimit = StreamOptions.InitialSessionWindow;
    private ulong _sessionSent;

    /// <summary>Whether <see cref="TryGetNextData"/> may have something to send.</summary>
    /// <remarks>A hint: it can be true while only streams blocked by the peer's MAX_DATA are queued.</remarks>
    public bool HasPendingData => _retransmitQueue.Count > 0 || _sendQueue.Count > 0;

    /// <summary>Bytes of new data the peer's MAX_DATA still allows on all streams together.</summary>
    public ulong SessionSendCredit => _sessionSendLimit - _sessionSent;

    /// <summary>Queues bytes on a stream, as many as its send buffer has room for.</summary>
    /// <param name="streamId">An open stream.</param>
    /// <param name="data">The bytes.</param>
    /// <param name="bytesWritten">How many were accepted; fewer than <c>data.Length</c> when the buffer filled.</param>
    /// <returns>
    /// <see cref="StreamWriteStatus.Success"/> when at least one byte (or an empty span) was accepted;
    /// <see cref="StreamWriteStatus.BufferFull"/> when none was; <see cref="StreamWriteStatus.Aborted"/> when the peer
    /// stopped the stream. After a short write a <see cref="StreamEventKind.Writable"/> event follows when space frees.
    /// </returns>
    /// <exception cref="InvalidOperationException">
    /// The stream is closed, finished or reset by this side, or it is live and the bytes are not the rest of a message
    /// body started with <see cref="BeginMessage"/>.
    /// </exception>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public StreamWriteStatus Write(int streamId, ReadOnlySpan<byte> data, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!TryGetWritable(streamId, out StreamEntry? entry))
        {
            return StreamWriteStatus.Aborted;
        }

        SendHalf send = entry.Send;
        if (send.IsLive && data.Length > send.MessageRemaining)
        {
            ThrowInvalidState(streamId, "a live stream carries whole messages only; Write is for the body of a message started with BeginMessage.");
        }

        bytesWritten = send.Append(data);
        send.MessageRemaining -= Math.Min(send.MessageRemaining, bytesWritten);
        if (bytesWritten > 0)
        {
            ScheduleSend(entry);
        }

        if (bytesWritten == data.Length)
        {
            return StreamWriteStatus.Success;
        }

        entry.WritableThreshold = 1;
        return bytesWritten == 0 ? StreamWriteStatus.BufferFull : StreamWriteStatus.Success;
    }

    /// <summary>Queues a whole message (length varint, then the bytes), or nothing.</summary>
    /// <returns>
    /// <see cref="StreamWriteStatus.Success"/> when queued; <see cref="StreamWriteStatus.BufferFull"/> when the message
    /// does not fit the free buffer space now (a <see cref="StreamEventKind.Writable"/> event follows once it does);
    /// <see cref="StreamWriteStatus.Aborted"/> when the peer stopped the stream.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The message is longer than <see cref="StreamOptions.MaxMessageLength"/>, or with its prefix longer than
    /// <see cref="StreamOptions.SendBufferLimit"/> so that it can never fit at once: send it with
    /// <see cref="BeginMessage"/> and <see cref="Write"/>.
    /// </exception>
    /// <exception cref="InvalidOperationException">The stream is closed, finished or reset, or a message from <see cref="BeginMessage"/> is incomplete.</exception>
    public StreamWriteStatus WriteMessage(int streamId, ReadOnlySpan<byte> message)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(message.Length, _options.MaxMessageLength, nameof(message));
        int prefixLength = Varint.GetEncodedLength((ulong)message.Length);
        int total = prefixLength + message.Length;
        if (total > _options.SendBufferLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(message),
                $"A {message.Length}-byte message never fits a {_options.SendBufferLimit}-byte send buffer at once; use BeginMessage and Write.");
        }

        if (!TryGetWritable(streamId, out StreamEntry? entry))
        {
            return StreamWriteStatus.Aborted;
        }

        SendHalf send = entry.Send;
        if (send.MessageRemaining > 0)
        {
            ThrowInvalidState(streamId, "the message started with BeginMessage is not complete.");
        }

        if (send.FreeSpace < total)
        {
            entry.WritableThreshold = total;
            return StreamWriteStatus.BufferFull;
        }

        Span<byte> prefix = stackalloc byte[Varint.MaxLength];
        Varint.Write(prefix, (ulong)message.Length);
        ulong start = send.WriteOffset;
        send.Append(prefix[..prefixLength]);
        send.Append(message);
        RecordLiveMessage(send, start);
        ScheduleSend(entry);
        return StreamWriteStatus.Success;
    }

    /// <summary>Starts a message of any length up to <see cref="StreamOptions.MaxMessageLength"/> by queuing only its length prefix.</summary>
    /// <remarks>
    /// Then queue exactly <paramref name="length"/> body bytes with <see cref="Write"/>, piece by piece as
    /// <see cref="StreamEventKind.Writable"/> events report space; this is how a message larger than the send buffer
    /// goes out. Another message cannot start, nor the stream finish, before the body is complete.
    /// </remarks>
    /// <returns>
    /// <see cref="StreamWriteStatus.Success"/> when the prefix was queued; <see cref="StreamWriteStatus.BufferFull"/>
    /// when there is no room for it yet; <see cref="StreamWriteStatus.Aborted"/> when the peer stopped the stream.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or above <see cref="StreamOptions.MaxMessageLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The stream is closed, finished or reset, or the previous message is incomplete.</exception>
    public StreamWriteStatus BeginMessage(int streamId, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _options.MaxMessageLength);
        if (!TryGetWritable(streamId, out StreamEntry? entry))
        {
            return StreamWriteStatus.Aborted;
        }

        SendHalf send = entry.Send;
        if (send.MessageRemaining > 0)
        {
            ThrowInvalidState(streamId, "the message started with BeginMessage is not complete.");
        }

        Span<byte> prefix = stackalloc byte[Varint.MaxLength];
        int prefixLength = Varint.Write(prefix, (ulong)length);
        if (send.FreeSpace < prefixLength)
        {
            entry.WritableThreshold = prefixLength;
            return StreamWriteStatus.BufferFull;
        }

        ulong start = send.WriteOffset;
        send.Append(prefix[..prefixLength]);
        send.MessageRemaining = length;
        RecordLiveMessage(send, start);
        ScheduleSend(entry);
        return StreamWriteStatus.Success;
    }

    /// <summary>Ends the send direction: a FIN follows the queued bytes.</summary>
    /// <remarks>Idempotent. After the peer stopped the stream it only acknowledges that; on a closed stream it does nothing.</remarks>
    /// <exception cref="InvalidOperationException">A message from <see cref="BeginMessage"/> is incomplete.</exception>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public void Finish(int streamId)
    {
        StreamEntry? entry = FindForApp(streamId);
        if (entry is null)
        {
            return;
        }

        SendHalf send = entry.Send;
        if (send.IsReset)
        {
            send.AbortObserved = true;
            TryClose(entry);
            return;
        }

        if (send.FinRequested)
        {
            return;
        }

        if (send.MessageRemaining > 0)
        {
            ThrowInvalidState(streamId, "the message started with BeginMessage is not complete.");
        }

        send.RequestFin();
        ScheduleSend(entry);
    }

    /// <summary>Abandons the send direction: unsent and unacknowledged bytes are dropped and RESET_STREAM is queued.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="errorCode">Application error code for the peer (at most 2^62 - 1).</param>
    /// <remarks>Does nothing when the direction already finished (everything acknowledged), was reset, or the stream closed.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The code does not fit a varint.</exception>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public void Reset(int streamId, ulong errorCode)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(errorCode, Varint.MaxValue);
        StreamEntry? entry = FindForApp(streamId);
        if (entry is null)
        {
            return;
        }

        SendHalf send = entry.Send;
        if (send.IsReset)
        {
            send.AbortObserved = true;
            TryClose(entry);
            return;
        }

        if (!send.IsTerminal)
        {
            ResetSendDirection(entry, errorCode, stopSendingCode: null);
        }
    }

    /// <summary>Fills the next DATA frame.</summary>
    /// <param name="payload">
    /// The DATA plaintext area; its length is the most the frame may carry (offset varint plus bytes). The bytes are
    /// copied to <c>payload[chunk.DataStart..chunk.PayloadLength]</c>, leaving room in front for the offset varint.
    /// </param>
    /// <param name="chunk">What the frame carries.</param>
    /// <returns>False when nothing can be sent: no data, or everything blocked by flow control.</returns>
    /// <remarks>
    /// Lost ranges go first, then new data. Among streams with something to send, turns go round-robin, one frame per
    /// turn, so a stream with a lot queued does not starve the others. New data stays within the peer's
    /// MAX_STREAM_DATA and MAX_DATA; retransmissions need no new credit.
    /// </remarks>
    public bool TryGetNextData(Span<byte> payload, out StreamChunk chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int turns = _retransmitQueue.Count; turns > 0; turns--)
        {
            StreamEntry entry = _retransmitQueue.Dequeue();
            entry.InRetransmitQueue = false;
            if (entry.Removed || !entry.Send.HasLost)
            {
                continue;
            }

            if (entry.Send.IsLive)
            {
                ExpireLive(entry, _time.GetTimestamp());
                if (!entry.Send.HasLost)
                {
                    ScheduleSend(entry);
                    continue;
                }
            }

            bool taken = entry.Send.TryTakeLost(entry.Id, payload, out chunk);
            ScheduleRetransmit(entry);
            if (taken)
            {
                return true;
            }
        }

        ulong sessionCredit = _sessionSendLimit - _sessionSent;
        for (int turns = _sendQueue.Count; turns > 0; turns--)
        {
            StreamEntry entry = _sendQueue.Dequeue();
            entry.InSendQueue = false;
            if (entry.Removed || !entry.Send.HasSendableNew)
            {
                // Nothing left, or blocked by its own MAX_STREAM_DATA: OnMaxStreamData and Write requeue it.
                continue;
            }

            if (entry.Send.IsLive)
            {
                ExpireLive(entry, _time.GetTimestamp());
                sessionCredit = _sessionSendLimit - _sessionSent;
                if (!entry.Send.HasSendableNew)
                {
                    continue;
                }
            }

            if (entry.Send.TryTakeNew(entry.Id, payload, sessionCredit, out chunk))
            {
                _sessionSent += (ulong)chunk.Length;
                MarkOpen(entry);
                if (chunk.Fin)
                {
                    MarkClosing(entry);
                }

                ScheduleSend(entry);
                return true;
            }

            // Blocked by MAX_DATA, or the payload has no room past this stream's offset varint: keep its place.
            entry.InSendQueue = true;
            _sendQueue.Enqueue(entry);
        }

        chunk = default;
        return false;
    }

    /// <summary>Loss recovery: the frame that carried this chunk was acknowledged.</summary>
    /// <remarks>
    /// Acknowledgements may arrive in any order, and for ranges also declared lost; send-buffer space is freed only for
    /// the contiguous acknowledged prefix. Chunks of streams that have closed or were reset are ignored.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range (or FIN) was never sent on the stream.</exception>
    public void OnDataAcked(int streamId, ulong offset, int length, bool fin)
    {
        if (!_streams.TryGetValue(streamId, out StreamEntry? entry))
        {
            return;
        }

        if (entry.Send.OnAcked(offset, length, fin))
        {
            SignalWritableIfRoom(entry);
        }

        TryClose(entry);
    }

    /// <summary>Loss recovery: the frame that carried this chunk was declared lost.</summary>
    /// <remarks>The parts not acknowledged since are queued for retransmission ahead of new data. Ignored for closed or reset streams.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range (or FIN) was never sent on the stream.</exception>
    public void OnDataLost(int streamId, ulong offset, int length, bool fin)
    {
        if (_streams.TryGetValue(streamId, out StreamEntry? entry) && entry.Send.OnLost(offset, length, fin))
        {
            ScheduleRetransmit(entry);
        }
    }

    /// <summary>The peer sent STOP_SENDING: the send direction is reset with the peer's code and a <see cref="StreamEventKind.Stopped"/> event queued.</summary>
    /// <exception cref="ProtocolViolationException">The stream ID breaks the stream rules (see <see cref="OnData"/>).</exception>
    public void OnStopSending(int streamId, ulong errorCode)
    {
        StreamEntry? entry = ResolvePeerFrame(streamId);
        if (entry is null)
        {
            return;
        }

        MarkOpen(entry);
        SendHalf send = entry.Send;
        if (send.IsReset || send.IsTerminal)
        {
            return;
        }

        _events.Enqueue(new StreamEvent(StreamEventKind.Stopped, streamId, errorCode));

        // RFC 9000, section 3.5: answer with RESET_STREAM, copying the peer's code.
        ResetSendDirection(entry, errorCode, errorCode);
    }

    /// <summary>The peer sent MAX_STREAM_DATA. Smaller values than the current limit are ignored.</summary>
    /// <exception cref="ProtocolViolationException">The stream ID breaks the stream rules (see <see cref="OnData"/>).</exception>
    public void OnMaxStreamData(int streamId, ulong maximum)
    {
        StreamEntry? entry = ResolvePeerFrame(streamId);
        if (entry is null)
        {
            return;
        }

        MarkOpen(entry);
        if (entry.Send.RaisePeerLimit(maximum))
        {
            ScheduleSend(entry);
        }
    }

    /// <summary>The peer sent MAX_DATA. Smaller values than the current limit are ignored.</summary>
    public void OnMaxData(ulong maximum)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _sessionSendLimit = Math.Max(_sessionSendLimit, maximum);
    }

    /// <summary>The peer sent MAX_STREAMS. Smaller values than the current limit are ignored.</summary>
    public void OnMaxStreams(ulong maximum)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (maximum <= _localStreamLimit)
        {
            return;
        }

        _localStreamLimit = maximum;
        if (_openBlocked && CanOpenStream)
        {
            _openBlocked = false;
            _events.Enqueue(new StreamEvent(StreamEventKind.StreamsAvailable, 0));
        }
    }

    private bool TryGetWritable(int streamId, [NotNullWhen(true)] out StreamEntry? entry)
    {
        entry = FindForApp(streamId);
        if (entry is null)
        {
            ThrowInvalidState(streamId, "the stream is closed.");
        }

        SendHalf send = entry.Send;
        if (send.IsReset)
        {
            if (send.StopSendingCode is null)
            {
                ThrowInvalidState(streamId, "the stream was reset by this side.");
            }

            send.AbortObserved = true;
            TryClose(entry);
            return false;
        }

        if (send.FinRequested)
        {
            ThrowInvalidState(streamId, "the stream was finished.");
        }

        return true;
    }

    private void ResetSendDirection(StreamEntry entry, ulong errorCode, ulong? stopSendingCode)
    {
        SendHalf send = entry.Send;

        // An application that already finished or is resetting needs no further telling.
        send.AbortObserved = stopSendingCode is null || send.FinRequested;
        ulong finalSize = send.Reset(stopSendingCode);
        entry.WritableThreshold = 0;
        _controlQueue.Enqueue(StreamControlItem.ResetStream(entry.Id, errorCode, finalSize));
        MarkClosing(entry);
        TryClose(entry);
    }

    private void ScheduleSend(StreamEntry entry)
    {
        if (!entry.InSendQueue && entry.Send.HasSendableNew)
        {
            entry.InSendQueue = true;
            _sendQueue.Enqueue(entry);
        }
    }

    private void ScheduleRetransmit(StreamEntry entry)
    {
        if (!entry.InRetransmitQueue && entry.Send.HasLost)
        {
            entry.InRetransmitQueue = true;
            _retransmitQueue.Enqueue(entry);
        }
    }
}

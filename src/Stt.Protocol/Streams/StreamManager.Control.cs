using Stt.Protocol.Streams.Internal;

namespace Stt.Protocol.Streams;

/// <summary>Credit generation (MAX_DATA, MAX_STREAMS, MAX_STREAM_DATA) and the queue of control messages to send.</summary>
/// <remarks>
/// Credit follows the classic QUIC auto-window: a limit is raised to <c>consumed + window</c> once that would move it
/// by at least half a window, so updates are few and the peer never stalls while the application keeps reading. Limits
/// only ever grow. Pending MAX values are kept as flags and read at send time, so a lost update is never resent with
/// a stale value.
/// </remarks>
public sealed partial class StreamManager
{
    private readonly Queue<StreamControlItem> _controlQueue = new();
    private readonly Queue<StreamEntry> _maxStreamDataQueue = new();
    private ulong _sessionReceiveLimit;
    private ulong _sessionReceived;
    private ulong _sessionCredited;
    private bool _maxDataPending;
    private ulong _peerStreamLimit;
    private ulong _closedPeerStreams;
    private bool _maxStreamsPending;

    /// <summary>Whether <see cref="TryGetPendingControl"/> may have something to send.</summary>
    /// <remarks>A hint: queued entries that became irrelevant (the stream closed meanwhile) are dropped only when drained.</remarks>
    public bool HasPendingControl =>
        _controlQueue.Count > 0 || _maxDataPending || _maxStreamsPending || _maxStreamDataQueue.Count > 0;

    /// <summary>The MAX_DATA this side has granted the peer (what it may send on all streams together).</summary>
    public ulong SessionReceiveLimit => _sessionReceiveLimit;

    /// <summary>The MAX_STREAMS this side has granted the peer.</summary>
    public ulong PeerStreamLimit => _peerStreamLimit;

    /// <summary>Takes the next control message to send: RESET_STREAM, STOP_SENDING and DISCARD first, then MAX_DATA, MAX_STREAMS, MAX_STREAM_DATA.</summary>
    /// <remarks>
    /// Keep the item with the frame that carries it and pass it to <see cref="OnControlLost"/> if that frame is lost, or
    /// to <see cref="OnControlAcked"/> once it is acknowledged. Gives up expired messages of live streams first
    /// (<see cref="TryOpenLiveStream"/>), so the DISCARD that follows goes out ahead of newer data.
    /// </remarks>
    public bool TryGetPendingControl(out StreamControlItem item)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ExpireLiveStreams();
        while (_controlQueue.TryDequeue(out item))
        {
            if (item.Kind == StreamControlKind.Discard && _streams.TryGetValue(item.StreamId, out StreamEntry? live))
            {
                // One DISCARD per stream waits in the queue; it carries the latest offset when it leaves.
                live.Send.DiscardQueued = false;
                item = StreamControlItem.Discard(item.StreamId, live.Send.DiscardOffset);
            }

            if (IsStillRelevant(item))
            {
                if (_streams.TryGetValue(item.StreamId, out StreamEntry? entry))
                {
                    MarkOpen(entry);
                }

                return true;
            }
        }

        if (_maxDataPending)
        {
            _maxDataPending = false;
            item = StreamControlItem.MaxData(_sessionReceiveLimit);
            return true;
        }

        if (_maxStreamsPending)
        {
            _maxStreamsPending = false;
            item = StreamControlItem.MaxStreams(_peerStreamLimit);
            return true;
        }

        while (_maxStreamDataQueue.TryDequeue(out StreamEntry? entry))
        {
            entry.InMaxStreamDataQueue = false;
            if (!entry.Removed && NeedsCredit(entry.Receive))
            {
                MarkOpen(entry);
                item = StreamControlItem.MaxStreamData(entry.Id, entry.Receive.Limit);
                return true;
            }
        }

        item = default;
        return false;
    }

    /// <summary>Loss recovery: the frame that carried <paramref name="item"/> was declared lost.</summary>
    /// <remarks>
    /// RESET_STREAM is always sent again. STOP_SENDING is sent again while the peer's final size is still unknown.
    /// DISCARD and the MAX values are sent again only if still the latest (a newer one supersedes them) and still needed.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The item's kind is not defined.</exception>
    public void OnControlLost(in StreamControlItem item)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        switch (item.Kind)
        {
            case StreamControlKind.MaxData:
                _maxDataPending |= item.Value == _sessionReceiveLimit;
                break;
            case StreamControlKind.MaxStreams:
                _maxStreamsPending |= item.Value == _peerStreamLimit;
                break;
            case StreamControlKind.MaxStreamData:
                if (_streams.TryGetValue(item.StreamId, out StreamEntry? entry) &&
                    entry.Receive.Limit == item.Value &&
                    NeedsCredit(entry.Receive))
                {
                    QueueMaxStreamData(entry);
                }

                break;
            case StreamControlKind.ResetStream:
            case StreamControlKind.StopSending:
                if (IsStillRelevant(item))
                {
                    _controlQueue.Enqueue(item);
                }

                break;
            case StreamControlKind.Discard:
                if (IsStillRelevant(item) && !_streams[item.StreamId].Send.DiscardQueued)
                {
                    _streams[item.StreamId].Send.DiscardQueued = true;
                    _controlQueue.Enqueue(item);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(item), item.Kind, "Unknown control kind.");
        }
    }

    /// <summary>Loss recovery: the frame that carried <paramref name="item"/> was acknowledged.</summary>
    /// <remarks>Only DISCARD needs this: a live stream's direction finishes once the peer has its latest DISCARD.</remarks>
    public void OnControlAcked(in StreamControlItem item)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (item.Kind == StreamControlKind.Discard && _streams.TryGetValue(item.StreamId, out StreamEntry? entry))
        {
            entry.Send.OnDiscardAcked(item.Value);
            TryClose(entry);
        }
    }

    private static bool NeedsCredit(ReceiveHalf receive) =>
        !receive.FinalKnown && receive.Phase is ReceivePhase.Receiving or ReceivePhase.Stopped;

    private void InitializeCredit()
    {
        _sessionReceiveLimit = (ulong)_options.SessionReceiveWindow;
        _maxDataPending = _options.SessionReceiveWindow > StreamOptions.InitialSessionWindow;
        _peerStreamLimit = Math.Min((ulong)_options.MaxIncomingStreams, _peerStreamCapacity);
        _maxStreamsPending = _peerStreamLimit > StreamOptions.InitialMaxStreams;
    }

    /// <summary>A RESET_STREAM always matters (the peer needs the final size); a STOP_SENDING only until the final size arrives.</summary>
    /// <remarks>A DISCARD matters while it is the latest of its stream, unacknowledged, and the stream was not reset since.</remarks>
    private bool IsStillRelevant(in StreamControlItem item) => item.Kind switch
    {
        StreamControlKind.StopSending =>
            _streams.TryGetValue(item.StreamId, out StreamEntry? entry) &&
            entry.Receive.Phase == ReceivePhase.Stopped &&
            !entry.Receive.FinalKnown,
        StreamControlKind.Discard =>
            _streams.TryGetValue(item.StreamId, out StreamEntry? entry) && entry.Send.IsDiscardPending(item.Value),
        _ => true,
    };

    private void QueueMaxStreamData(StreamEntry entry)
    {
        if (!entry.InMaxStreamDataQueue)
        {
            entry.InMaxStreamDataQueue = true;
            _maxStreamDataQueue.Enqueue(entry);
        }
    }

    private void CreditTo(StreamEntry entry, ulong offset)
    {
        if (offset > entry.Receive.Credited)
        {
            Credit(entry, offset - entry.Receive.Credited);
        }
    }

    /// <summary>Bytes left the stream's window (read, moved into a message, or discarded): offer them back as credit.</summary>
    private void Credit(StreamEntry entry, ulong bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        ReceiveHalf receive = entry.Receive;
        receive.Credited += bytes;
        _sessionCredited += bytes;

        ulong streamWindow = (ulong)_options.StreamReceiveWindow;
        ulong streamLimit = receive.Credited + streamWindow;
        if (NeedsCredit(receive) && streamLimit - receive.Limit >= streamWindow / 2)
        {
            receive.Limit = streamLimit;
            QueueMaxStreamData(entry);
        }

        ulong sessionWindow = (ulong)_options.SessionReceiveWindow;
        ulong sessionLimit = _sessionCredited + sessionWindow;
        if (sessionLimit - _sessionReceiveLimit >= sessionWindow / 2)
        {
            _sessionReceiveLimit = sessionLimit;
            _maxDataPending = true;
        }
    }

    private void OnPeerStreamClosed()
    {
        _closedPeerStreams++;
        ulong limit = Math.Min(_closedPeerStreams + (ulong)_options.MaxIncomingStreams, _peerStreamCapacity);
        if (limit > _peerStreamLimit &&
            (limit - _peerStreamLimit >= (ulong)_options.MaxIncomingStreams / 2 || limit == _peerStreamCapacity))
        {
            _peerStreamLimit = limit;
            _maxStreamsPending = true;
        }
    }
}

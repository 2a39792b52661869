using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Streams.Internal;

/// <summary>The sending direction of one stream: the send buffer, what was sent, acknowledged and lost, and the FIN.</summary>
/// <remarks>
/// Offsets: <c>AckedOffset ≤ SentOffset ≤ WriteOffset</c>. Bytes below <see cref="AckedOffset"/> are acknowledged and
/// freed; acknowledgements above it wait in a range set until the gap below them is acknowledged (only a contiguous
/// prefix can be freed). <see cref="SentOffset"/> is the highest offset ever sent, which is also what this stream has
/// used of the peer's flow-control credit and, after a reset, its final size.
/// On a live stream (docs/protocol.md, section 11) each unacknowledged message is remembered with the time it was
/// written; <see cref="TryDiscardExpired"/> gives up whole messages older than the deadline, treating their bytes as
/// acknowledged, and the DISCARD it asks for tells the peer to skip them.
/// </remarks>
internal sealed class SendHalf : IDisposable
{
    private readonly int _bufferLimit;
    private readonly SendBuffer _buffer;
    private readonly RangeSet _acked = new();
    private readonly RangeSet _lost = new();
    private readonly Queue<LiveMessage>? _liveMessages;
    private readonly long _liveDeadline;
    private ulong _writeOffset;
    private ulong _sentOffset;
    private ulong _ackedOffset;
    private bool _finLost;

    /// <param name="bufferLimit">Most bytes written and not yet acknowledged.</param>
    /// <param name="peerLimit">The peer's initial MAX_STREAM_DATA.</param>
    /// <param name="liveDeadline">For a live stream, how long (in <see cref="TimeProvider.GetTimestamp"/> units) a message stays worth sending; 0 for a reliable stream.</param>
    public SendHalf(int bufferLimit, ulong peerLimit, long liveDeadline = 0)
    {
        Debug.Assert(liveDeadline >= 0);
        _bufferLimit = bufferLimit;
        _buffer = new SendBuffer(bufferLimit);
        PeerLimit = peerLimit;
        if (liveDeadline > 0)
        {
            _liveDeadline = liveDeadline;
            _liveMessages = new Queue<LiveMessage>();
        }
    }

    public bool IsLive => _liveMessages is not null;

    /// <summary>The offset of the latest DISCARD this direction asked for; 0 before any.</summary>
    public ulong DiscardOffset { get; private set; }

    /// <summary>Whether a DISCARD item is waiting in the manager's control queue.</summary>
    public bool DiscardQueued { get; set; }

    /// <summary>Whether the peer acknowledged the latest DISCARD (true before any).</summary>
    public bool DiscardAcked { get; private set; } = true;

    /// <summary>The peer's MAX_STREAM_DATA: new data may be sent below this offset.</summary>
    public ulong PeerLimit { get; private set; }

    public ulong WriteOffset => _writeOffset;

    public ulong SentOffset => _sentOffset;

    public ulong AckedOffset => _ackedOffset;

    public long BufferedBytes => IsReset ? 0 : (long)(_writeOffset - _ackedOffset);

    public int FreeSpace => _bufferLimit - (int)(_writeOffset - _ackedOffset);

    /// <summary>Body bytes still owed by the message started with <c>BeginMessage</c>.</summary>
    public int MessageRemaining { get; set; }

    public bool FinRequested { get; private set; }

    public bool FinSent { get; private set; }

    public bool FinAcked { get; private set; }

    /// <summary>Whether the direction was reset, by the application or in answer to the peer's STOP_SENDING.</summary>
    public bool IsReset { get; private set; }

    /// <summary>The peer's STOP_SENDING code when the peer caused the reset.</summary>
    public ulong? StopSendingCode { get; private set; }

    /// <summary>Whether the application has been told of (or caused) the end of this direction.</summary>
    public bool AbortObserved { get; set; }

    /// <summary>Whether the direction has finished: everything up to and including the FIN acknowledged, or reset and known to the application.</summary>
    /// <remarks>Discarded bytes count as acknowledged, so a live stream also waits for its latest DISCARD: without it the peer would wait for them.</remarks>
    public bool IsTerminal =>
        IsReset ? AbortObserved : FinAcked && _ackedOffset == _writeOffset && DiscardAcked;

    /// <summary>Whether new bytes or a first FIN can go out now, as far as this stream's credit goes.</summary>
    public bool HasSendableNew =>
        !IsReset &&
        ((_sentOffset < _writeOffset && _sentOffset < PeerLimit) || (FinRequested && !FinSent && _sentOffset == _writeOffset));

    public bool HasLost => !IsReset && (!_lost.IsEmpty || _finLost);

    public int Append(ReadOnlySpan<byte> data)
    {
        Debug.Assert(!IsReset && !FinRequested);
        int accepted = Math.Min(data.Length, FreeSpace);
        _buffer.Append(data[..accepted]);
        _writeOffset += (ulong)accepted;
        return accepted;
    }

    /// <summary>Remembers a message of a live stream just appended at [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public void RecordMessage(ulong start, ulong end, long writtenAt)
    {
        Debug.Assert(start < end);
        _liveMessages?.Enqueue(new LiveMessage(start, end, writtenAt));
    }

    /// <summary>
    /// On a live stream, gives up the oldest messages written <see cref="_liveDeadline"/> or more before
    /// <paramref name="now"/>, up to the last of them with a byte lost or never sent: the boundary after it becomes
    /// <see cref="DiscardOffset"/>, the bytes below count as acknowledged (freeing the buffer), and sending continues
    /// with the next message.
    /// </summary>
    /// <param name="now">The current <see cref="TimeProvider.GetTimestamp"/> value.</param>
    /// <param name="sessionCredit">New bytes the peer's MAX_DATA still allows: skipping unsent bytes uses credit as sending them would.</param>
    /// <param name="skippedUnsent">Bytes skipped that had never been sent, to be counted against the session credit.</param>
    /// <param name="messages">Messages given up: the peer skips them unless it already delivered them.</param>
    /// <param name="bytes">Bytes given up that the peer had not acknowledged.</param>
    /// <returns>Whether anything was given up, so that a DISCARD must be sent.</returns>
    public bool TryDiscardExpired(long now, ulong sessionCredit, out ulong skippedUnsent, out int messages, out long bytes)
    {
        skippedUnsent = 0;
        messages = 0;
        bytes = 0;
        if (_liveMessages is null || IsReset)
        {
            return false;
        }

        PruneMessages();
        ulong newDataLimit = Math.Min(PeerLimit, _sentOffset + sessionCredit);
        ulong boundary = 0;
        int walked = 0;
        int dropped = 0;
        foreach (LiveMessage message in _liveMessages)
        {
            // A message still being written has no known next boundary yet, and a skip past the credit is not allowed.
            if (now - message.WrittenAt < _liveDeadline ||
                message.End > _writeOffset ||
                (message.End > _sentOffset && message.End > newDataLimit))
            {
                break;
            }

            walked++;

            // Expired bytes in flight or acknowledged may yet be delivered: skip only up to the last expired message
            // with a lost or never-sent byte, so that later ones that arrived are not thrown away.
            if (message.End > _sentOffset || IsAnyLost(message.Start, message.End))
            {
                boundary = message.End;
                dropped = walked;
            }
        }

        if (dropped == 0)
        {
            return false;
        }

        for (int index = 0; index < dropped; index++)
        {
            _liveMessages.Dequeue();
        }

        messages = dropped;

        bytes = (long)CountUnacknowledged(_ackedOffset, boundary);
        skippedUnsent = boundary > _sentOffset ? boundary - _sentOffset : 0;
        _sentOffset = Math.Max(_sentOffset, boundary);
        _lost.Remove(_ackedOffset, boundary);
        _acked.Remove(_ackedOffset, boundary);
        _ackedOffset = boundary;
        if (!_acked.IsEmpty && _acked.StartAt(0) == _ackedOffset)
        {
            _ackedOffset = _acked.EndAt(0);
            _acked.Remove(boundary, _ackedOffset);
        }

        _buffer.ReleaseTo(_ackedOffset);
        PruneMessages();
        DiscardOffset = boundary;
        DiscardAcked = false;
        return true;
    }

    /// <summary>The peer acknowledged a DISCARD; only the latest one matters.</summary>
    public void OnDiscardAcked(ulong offset) => DiscardAcked |= offset == DiscardOffset;

    /// <summary>Whether a lost DISCARD still needs sending: it is the latest and the direction was not reset since.</summary>
    public bool IsDiscardPending(ulong offset) => !IsReset && !DiscardAcked && offset == DiscardOffset;

    public void RequestFin() => FinRequested = true;

    public bool RaisePeerLimit(ulong maximum)
    {
        if (maximum <= PeerLimit)
        {
            return false;
        }

        PeerLimit = maximum;
        return true;
    }

    /// <summary>Takes the next lost range (or lost FIN) and copies its bytes after the offset varint.</summary>
    public bool TryTakeLost(int streamId, Span<byte> payload, out StreamChunk chunk)
    {
        Debug.Assert(HasLost);
        if (_lost.IsEmpty)
        {
            // Only the FIN was lost (its frame carried no bytes, or they were acknowledged in another frame).
            if (payload.Length < Varint.GetEncodedLength(_writeOffset))
            {
                chunk = default;
                return false;
            }

            _finLost = false;
            chunk = new StreamChunk(streamId, _writeOffset, 0, Fin: true, IsRetransmission: true);
            return true;
        }

        ulong start = _lost.StartAt(0);
        int dataStart = Varint.GetEncodedLength(start);
        int room = payload.Length - dataStart;
        if (room <= 0)
        {
            chunk = default;
            return false;
        }

        int length = (int)Math.Min(_lost.EndAt(0) - start, (ulong)room);
        ulong end = start + (ulong)length;
        _buffer.CopyTo(start, payload.Slice(dataStart, length));
        _lost.Remove(start, end);
        bool fin = _finLost && end == _writeOffset;
        if (fin)
        {
            _finLost = false;
        }

        chunk = new StreamChunk(streamId, start, length, fin, IsRetransmission: true);
        return true;
    }

    /// <summary>Takes new bytes within the stream credit, <paramref name="sessionCredit"/> and the payload, and a first FIN when they end the stream.</summary>
    public bool TryTakeNew(int streamId, Span<byte> payload, ulong sessionCredit, out StreamChunk chunk)
    {
        Debug.Assert(HasSendableNew);
        ulong start = _sentOffset;
        int dataStart = Varint.GetEncodedLength(start);
        int room = payload.Length - dataStart;
        if (room < 0)
        {
            chunk = default;
            return false;
        }

        ulong streamCredit = PeerLimit > start ? PeerLimit - start : 0;
        ulong length = Math.Min(Math.Min(_writeOffset - start, streamCredit), Math.Min(sessionCredit, (ulong)room));
        ulong end = start + length;
        bool fin = FinRequested && !FinSent && end == _writeOffset;
        if (length == 0 && !fin)
        {
            chunk = default;
            return false;
        }

        _buffer.CopyTo(start, payload.Slice(dataStart, (int)length));
        _sentOffset = end;
        FinSent |= fin;
        chunk = new StreamChunk(streamId, start, (int)length, fin, IsRetransmission: false);
        return true;
    }

    /// <summary>Records an acknowledged frame.</summary>
    /// <returns>Whether send-buffer space was freed.</returns>
    public bool OnAcked(ulong offset, int length, bool fin)
    {
        ValidateSentRange(offset, length, fin);
        if (IsReset)
        {
            return false;
        }

        ulong end = offset + (ulong)length;
        _lost.Remove(offset, end);
        if (fin)
        {
            FinAcked = true;
            _finLost = false;
        }

        // A FIN-only frame carries no bytes: acknowledged ahead of the data before it, it adds no range, and the
        // contiguous prefix can only move once that data's own acknowledgement arrives.
        if (end <= _ackedOffset || length == 0)
        {
            return false;
        }

        _acked.Add(Math.Max(offset, _ackedOffset), end);
        if (_acked.StartAt(0) != _ackedOffset)
        {
            return false;
        }

        _ackedOffset = _acked.EndAt(0);
        _acked.Remove(_acked.StartAt(0), _ackedOffset);
        _buffer.ReleaseTo(_ackedOffset);
        PruneMessages();
        return true;
    }

    /// <summary>Requeues the unacknowledged part of a lost frame.</summary>
    /// <returns>Whether anything now needs retransmitting.</returns>
    public bool OnLost(ulong offset, int length, bool fin)
    {
        ValidateSentRange(offset, length, fin);
        if (IsReset)
        {
            return false;
        }

        ulong cursor = Math.Max(offset, _ackedOffset);
        ulong end = offset + (ulong)length;
        for (int index = _acked.FirstEndingAfter(cursor); cursor < end && index < _acked.Count; index++)
        {
            ulong ackedStart = _acked.StartAt(index);
            if (ackedStart >= end)
            {
                break;
            }

            if (ackedStart > cursor)
            {
                _lost.Add(cursor, ackedStart);
            }

            cursor = Math.Max(cursor, _acked.EndAt(index));
        }

        if (cursor < end)
        {
            _lost.Add(cursor, end);
        }

        if (fin && !FinAcked)
        {
            _finLost = true;
        }

        return HasLost;
    }

    /// <summary>Abandons the direction: frees the buffer and forgets pending sends.</summary>
    /// <returns>The final size the RESET_STREAM carries: the highest offset sent.</returns>
    public ulong Reset(ulong? stopSendingCode)
    {
        Debug.Assert(!IsReset);
        IsReset = true;
        StopSendingCode = stopSendingCode;
        _lost.Clear();
        _acked.Clear();
        _finLost = false;
        MessageRemaining = 0;
        _liveMessages?.Clear();
        _buffer.Dispose();
        return _sentOffset;
    }

    public void Dispose() => _buffer.Dispose();

    /// <summary>Forgets messages whose every byte is acknowledged (or discarded).</summary>
    private void PruneMessages()
    {
        while (_liveMessages is { Count: > 0 } && _liveMessages.Peek().End <= _ackedOffset)
        {
            _liveMessages.Dequeue();
        }
    }

    private bool IsAnyLost(ulong start, ulong end)
    {
        int index = _lost.FirstEndingAfter(start);
        return index < _lost.Count && _lost.StartAt(index) < end;
    }

    private ulong CountUnacknowledged(ulong start, ulong end)
    {
        ulong count = end - start;
        for (int index = _acked.FirstEndingAfter(start); index < _acked.Count && _acked.StartAt(index) < end; index++)
        {
            count -= Math.Min(end, _acked.EndAt(index)) - Math.Max(start, _acked.StartAt(index));
        }

        return count;
    }

    private void ValidateSentRange(ulong offset, int length, bool fin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset + (ulong)length > _sentOffset || (fin && (!FinSent || offset + (ulong)length != _writeOffset)))
        {
            ThrowNotSent(offset, length);
        }
    }

    [DoesNotReturn]
    private static void ThrowNotSent(ulong offset, int length) =>
        throw new ArgumentOutOfRangeException(
            nameof(offset),
            $"The range at {offset} of length {length} (or its FIN) was never sent on this stream.");
}

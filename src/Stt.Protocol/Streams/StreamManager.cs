using System.Diagnostics.CodeAnalysis;
using Stt.Protocol.Encoding;
using Stt.Protocol.Streams.Internal;

namespace Stt.Protocol.Streams;

/// <summary>
/// The streams of one session: ID allocation, per-stream state, send and receive buffers, flow control, message
/// framing and retransmission bookkeeping (docs/protocol.md, sections 9 – 11). Sans-I/O: it consumes decoded frame
/// contents and loss-recovery verdicts and produces what to send as plain values.
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe: the session serialises every call. The session feeds it decoded DATA
/// (<see cref="OnData"/>), STREAM_CONTROL (<see cref="OnResetStream"/>, <see cref="OnStopSending"/>,
/// <see cref="OnMaxStreamData"/>, <see cref="OnDiscard"/>) and CONTROL messages (<see cref="OnMaxData"/>,
/// <see cref="OnMaxStreams"/>); it fills DATA frames with <see cref="TryGetNextData"/> and control frames with
/// <see cref="TryGetPendingControl"/>, and reports each sent frame's fate with <see cref="OnDataAcked"/>,
/// <see cref="OnDataLost"/>, <see cref="OnControlAcked"/> and <see cref="OnControlLost"/>. The application side opens, writes, reads, finishes and resets streams and drains
/// <see cref="TryDequeueEvent"/>.
/// </para>
/// <para>
/// Peer protocol violations throw <see cref="ProtocolViolationException"/>; the session must then close with its
/// <see cref="ProtocolViolationException.ErrorCode"/> and dispose this manager. Application misuse (writing after
/// <see cref="Finish"/>, naming a stream that was never opened) throws <see cref="InvalidOperationException"/> or
/// <see cref="ArgumentException"/>.
/// </para>
/// <para>
/// Streams are bidirectional. A stream closes, and leaves the tables, once both directions are finished: the send
/// direction when everything written and the FIN are acknowledged, or when the application reset it, or when the peer
/// stopped it and the application has seen that (dequeued <see cref="StreamEventKind.Stopped"/>, got
/// <see cref="StreamWriteStatus.Aborted"/>, or called <see cref="Finish"/> or <see cref="Reset"/>); the receive
/// direction when everything up to the final size was read, or a reset was reported by a read, or the final size
/// arrived after <see cref="StopSending"/>. So the application must finish or reset every stream it accepts, and read
/// every stream to its end or stop it; closed peer streams are what raise the peer's MAX_STREAMS.
/// </para>
/// </remarks>
public sealed partial class StreamManager : IDisposable
{
    private const int InitiatorStreamCapacity = 32_768;
    private const int ResponderStreamCapacity = 32_767;

    private readonly StreamOptions _options;
    private readonly TimeProvider _time;
    private readonly List<StreamEntry> _liveStreams = [];
    private readonly Dictionary<int, StreamEntry> _streams = [];
    private readonly Queue<StreamEvent> _events = new();
    private readonly ulong _localStreamCapacity;
    private readonly ulong _peerStreamCapacity;

    private ulong _nextLocalIndex;
    private ulong _localStreamLimit = StreamOptions.InitialMaxStreams;
    private bool _openBlocked;
    private ulong _nextPeerIndex;
    private bool _disposed;

    /// <summary>Creates the stream layer of a session.</summary>
    /// <param name="role">This side's role: it fixes the parity of the stream IDs this side opens.</param>
    /// <param name="options">Limits and windows; <see cref="StreamOptions.Default"/> when null.</param>
    /// <param name="timeProvider">
    /// The clock that dates messages on live streams (<see cref="TryOpenLiveStream"/>); <see cref="TimeProvider.System"/>
    /// when null. The session passes its own.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="StreamOptions.Validate"/>).</exception>
    public StreamManager(SessionRole role, StreamOptions? options = null, TimeProvider? timeProvider = null)
    {
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown session role.");
        }

        _options = options ?? StreamOptions.Default;
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        Role = role;
        _localStreamCapacity = (ulong)(role == SessionRole.Initiator ? InitiatorStreamCapacity : ResponderStreamCapacity);
        _peerStreamCapacity = (ulong)(role == SessionRole.Initiator ? ResponderStreamCapacity : InitiatorStreamCapacity);
        InitializeCredit();
    }

    /// <summary>This side's role.</summary>
    public SessionRole Role { get; }

    /// <summary>The options in force.</summary>
    public StreamOptions Options => _options;

    /// <summary>Streams in the tables: opened (by either side) and not yet closed.</summary>
    public int ActiveStreamCount => _streams.Count;

    /// <summary>Bytes written by the application on all streams and not yet acknowledged by the peer.</summary>
    public long SendBufferedBytes
    {
        get
        {
            long total = 0;
            foreach (StreamEntry entry in _streams.Values)
            {
                total += entry.Send.BufferedBytes;
            }

            return total;
        }
    }

    /// <summary>Bytes received on all streams and not yet read, including messages being reassembled.</summary>
    public long ReceiveBufferedBytes
    {
        get
        {
            long total = 0;
            foreach (StreamEntry entry in _streams.Values)
            {
                total += entry.Receive.BufferedBytes;
            }

            return total;
        }
    }

    /// <summary>Whether <see cref="TryOpenStream"/> would succeed now.</summary>
    public bool CanOpenStream => _nextLocalIndex < _localStreamLimit && _nextLocalIndex < _localStreamCapacity;

    /// <summary>Opens the next local stream.</summary>
    /// <param name="streamId">The new stream's ID: 2k + 1 for the k-th stream of an initiator, 2k + 2 for a responder.</param>
    /// <returns>
    /// False when the peer's MAX_STREAMS (initially 100) or the stream ID space is exhausted; a
    /// <see cref="StreamEventKind.StreamsAvailable"/> event follows if the peer raises its limit.
    /// </returns>
    /// <remarks>The stream starts in <see cref="StreamState.Created"/>; the peer learns of it from the first frame that names it.</remarks>
    public bool TryOpenStream(out int streamId) => TryOpenLocal(out streamId, liveDeadline: 0);

    /// <summary>Opens the next local stream in live mode: messages older than <paramref name="deadline"/> are dropped rather than retransmitted.</summary>
    /// <param name="streamId">The new stream's ID, as for <see cref="TryOpenStream"/>.</param>
    /// <param name="deadline">How long after <see cref="WriteMessage"/> (or <see cref="BeginMessage"/>) a message is still worth sending.</param>
    /// <returns>False when no stream can be opened now, as for <see cref="TryOpenStream"/>.</returns>
    /// <remarks>
    /// <para>
    /// Live mode (docs/protocol.md, section 11) is for media: when loss recovery finds a lost byte of a message written
    /// <paramref name="deadline"/> or more ago, or such a message was never sent at all, the manager gives up that
    /// message and every older one, frees their buffer space, and queues a DISCARD telling the peer to skip to the next
    /// message boundary. The peer, whatever its own mode, resumes at a whole message and sees a
    /// <see cref="StreamEventKind.Skipped"/> event. <see cref="MessagesDiscarded"/> and <see cref="BytesDiscarded"/> count
    /// what was given up.
    /// </para>
    /// <para>
    /// Only this side's direction is live. It carries whole messages only: <see cref="Write"/> is accepted only for the
    /// body of a message started with <see cref="BeginMessage"/>. A message still being written is never dropped, so keep
    /// messages short next to the deadline.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The deadline is not positive.</exception>
    public bool TryOpenLiveStream(out int streamId, TimeSpan deadline)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        long timestampUnits = Math.Max(1, (long)Math.Ceiling(deadline.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond));
        return TryOpenLocal(out streamId, timestampUnits);
    }

    /// <summary>The state of a stream; <see cref="StreamState.Closed"/> once it has left the tables.</summary>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public StreamState GetState(int streamId) => FindForApp(streamId)?.State ?? StreamState.Closed;

    /// <summary>A snapshot of a stream in the tables.</summary>
    /// <returns>False when the stream is not in the tables (closed, or never opened).</returns>
    public bool TryGetStreamInfo(int streamId, out StreamInfo info)
    {
        if (!_streams.TryGetValue(streamId, out StreamEntry? entry))
        {
            info = default;
            return false;
        }

        info = new StreamInfo(
            streamId,
            entry.State,
            entry.IsLocal,
            entry.Send.BufferedBytes,
            entry.Receive.BufferedBytes,
            entry.Receive.ResetCode,
            entry.Send.StopSendingCode);
        return true;
    }

    /// <summary>Takes the next application event: a stream opened by the peer, readable, writable, stopped or closed.</summary>
    /// <remarks>
    /// Readable and Writable are edge-triggered and coalesced: at most one of each is queued per stream until it is
    /// dequeued, and another follows only after a new change. React to one by reading (or writing) until
    /// <see cref="StreamReadStatus.Pending"/> (or <see cref="StreamWriteStatus.BufferFull"/>). The queue holds at most a
    /// few entries per stream, so it stays bounded by the stream limits.
    /// </remarks>
    public bool TryDequeueEvent(out StreamEvent streamEvent)
    {
        if (!_events.TryDequeue(out streamEvent))
        {
            return false;
        }

        if (_streams.TryGetValue(streamEvent.StreamId, out StreamEntry? entry))
        {
            switch (streamEvent.Kind)
            {
                case StreamEventKind.Readable:
                    entry.ReadableQueued = false;
                    break;
                case StreamEventKind.Writable:
                    entry.WritableQueued = false;
                    break;
                case StreamEventKind.Skipped:
                    entry.SkippedQueued = false;
                    break;
                case StreamEventKind.Stopped:
                    // The application now knows its send direction is gone; the stream may close.
                    entry.Send.AbortObserved = true;
                    TryClose(entry);
                    break;
                default:
                    break;
            }
        }

        return true;
    }

    /// <summary>Returns every pooled buffer. Call when the session ends; the manager is unusable afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (StreamEntry entry in _streams.Values)
        {
            entry.Removed = true;
            entry.Dispose();
        }

        _streams.Clear();
        _liveStreams.Clear();
        _sendQueue.Clear();
        _retransmitQueue.Clear();
        _maxStreamDataQueue.Clear();
        _controlQueue.Clear();
        _events.Clear();
    }

    private static ulong IndexOf(int streamId) => (ulong)((streamId - 1) >> 1);

    private bool IsLocal(int streamId) => ((streamId & 1) == 1) == (Role == SessionRole.Initiator);

    private int IdOf(ulong localIndex) => (int)((2 * localIndex) + (Role == SessionRole.Initiator ? 1UL : 2UL));

    private int PeerIdOf(ulong peerIndex) => (int)((2 * peerIndex) + (Role == SessionRole.Initiator ? 2UL : 1UL));

    private bool TryOpenLocal(out int streamId, long liveDeadline)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!CanOpenStream)
        {
            _openBlocked = true;
            streamId = 0;
            return false;
        }

        streamId = IdOf(_nextLocalIndex++);
        StreamEntry entry = CreateStream(streamId, isLocal: true, StreamState.Created, liveDeadline);
        if (entry.Send.IsLive)
        {
            _liveStreams.Add(entry);
        }

        return true;
    }

    private StreamEntry CreateStream(int streamId, bool isLocal, StreamState state, long liveDeadline = 0)
    {
        var entry = new StreamEntry(
            streamId,
            isLocal,
            state,
            new SendHalf(_options.SendBufferLimit, StreamOptions.InitialStreamWindow, liveDeadline),
            new ReceiveHalf(_options.StreamReceiveWindow, (ulong)_options.StreamReceiveWindow));
        _streams.Add(streamId, entry);
        if (_options.StreamReceiveWindow > StreamOptions.InitialStreamWindow)
        {
            // The peer assumes the protocol's initial limit until told otherwise.
            QueueMaxStreamData(entry);
        }

        return entry;
    }

    /// <summary>Finds (or implicitly opens) the stream a peer frame names.</summary>
    /// <returns>The stream, or null when it already closed and the frame is to be ignored.</returns>
    private StreamEntry? ResolvePeerFrame(int streamId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)(streamId - 1) >= FrameHeader.MaxStreamId)
        {
            ThrowProtocol(ProtocolErrorCode.ProtocolViolation, $"Stream ID {streamId} is not a user stream.");
        }

        if (_streams.TryGetValue(streamId, out StreamEntry? entry))
        {
            return entry;
        }

        ulong index = IndexOf(streamId);
        if (IsLocal(streamId))
        {
            if (index >= _nextLocalIndex)
            {
                ThrowProtocol(ProtocolErrorCode.StreamStateError, $"The peer named stream {streamId}, which this side has not opened.");
            }

            return null;
        }

        if (index < _nextPeerIndex)
        {
            return null;
        }

        if (index >= _peerStreamLimit)
        {
            ThrowProtocol(
                ProtocolErrorCode.StreamLimitError,
                $"The peer opened stream {streamId} (its stream number {index}) beyond the limit of {_peerStreamLimit}.");
        }

        // Opening the k-th stream opens every lower one of the same parity not opened yet (as RFC 9000, section 3.2),
        // so every peer stream below _nextPeerIndex was opened and one missing from the table has closed.
        while (_nextPeerIndex <= index)
        {
            int openedId = PeerIdOf(_nextPeerIndex++);
            CreateStream(openedId, isLocal: false, StreamState.Open);
            _events.Enqueue(new StreamEvent(StreamEventKind.Opened, openedId));
        }

        return _streams[streamId];
    }

    /// <summary>Finds a stream the application names.</summary>
    /// <returns>The stream, or null when it has closed.</returns>
    private StreamEntry? FindForApp(int streamId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(streamId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(streamId, FrameHeader.MaxStreamId);
        if (_streams.TryGetValue(streamId, out StreamEntry? entry))
        {
            return entry;
        }

        ulong index = IndexOf(streamId);
        bool opened = IsLocal(streamId) ? index < _nextLocalIndex : index < _nextPeerIndex;
        if (!opened)
        {
            ThrowNotOpened(streamId);
        }

        return null;
    }

    private static void MarkOpen(StreamEntry entry)
    {
        if (entry.State == StreamState.Created)
        {
            entry.State = StreamState.Open;
        }
    }

    private static void MarkClosing(StreamEntry entry)
    {
        if (entry.State is StreamState.Created or StreamState.Open)
        {
            entry.State = StreamState.Closing;
        }
    }

    private void SignalReadable(StreamEntry entry)
    {
        if (!entry.ReadableQueued)
        {
            entry.ReadableQueued = true;
            _events.Enqueue(new StreamEvent(StreamEventKind.Readable, entry.Id));
        }
    }

    private void SignalWritableIfRoom(StreamEntry entry)
    {
        if (entry.WritableThreshold == 0 || entry.Send.FreeSpace < entry.WritableThreshold)
        {
            return;
        }

        entry.WritableThreshold = 0;
        if (!entry.WritableQueued)
        {
            entry.WritableQueued = true;
            _events.Enqueue(new StreamEvent(StreamEventKind.Writable, entry.Id));
        }
    }

    /// <summary>Removes the stream once both directions have finished.</summary>
    private void TryClose(StreamEntry entry)
    {
        if (entry.Removed || !entry.Send.IsTerminal || entry.Receive.Phase != ReceivePhase.Done)
        {
            return;
        }

        entry.Removed = true;
        entry.State = StreamState.Closed;
        _streams.Remove(entry.Id);
        if (entry.Send.IsLive)
        {
            _liveStreams.Remove(entry);
        }

        entry.Dispose();
        _events.Enqueue(new StreamEvent(StreamEventKind.Closed, entry.Id));
        if (!entry.IsLocal)
        {
            OnPeerStreamClosed();
        }
    }

    [DoesNotReturn]
    private static void ThrowProtocol(ProtocolErrorCode code, string message) =>
        throw new ProtocolViolationException(code, message);

    [DoesNotReturn]
    private static void ThrowNotOpened(int streamId) =>
        throw new ArgumentException($"Stream {streamId} has not been opened.", nameof(streamId));

    [DoesNotReturn]
    private static void ThrowInvalidState(int streamId, string reason) =>
        throw new InvalidOperationException($"Stream {streamId}: {reason}");
}

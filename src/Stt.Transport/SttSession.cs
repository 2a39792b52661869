using System.Net;
using System.Threading.Channels;
using Stt.Protocol;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Stt.Protocol.Streams;
using Stt.Transport.Internal;
using Stt.Transport.Timing;

namespace Stt.Transport;

/// <summary>
/// One STT session over some transport: an async stream API over the sans-I/O <see cref="Session"/>. Transports
/// derive from it and carry the frames it produces (<see cref="SendFrameLocked"/>) and feed it the frames that arrive.
/// </summary>
/// <remarks>
/// Thread-safe. Every call into the protocol session, from the application, the transport's receive loop or the timer
/// loop, runs under one lock per session (<see cref="SyncRoot"/>); frames the call produces are handed to
/// <see cref="SendFrameLocked"/> on that thread before the lock is released. One reader and one writer per stream at a
/// time.
/// </remarks>
public abstract partial class SttSession : IAsyncDisposable, ITimerTarget
{
    [ThreadStatic]
    private static byte[]? _threadFrameBuffer;

    private readonly Lock _lock = new();
    private readonly Session _session;
    private readonly TimerQueue _timers;
    private readonly int _maxFrameLength;
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<int> _incomingStreams;
    private readonly Dictionary<int, StreamSignals> _streamSignals = [];
    private readonly AsyncSignal _streamsAvailable = new();
    private readonly int _sendBufferLimit;
    private string? _transportFailure;
    private bool _idKnown;
    private bool _wasActive;
    private bool _removed;

    /// <summary>Wraps a protocol session.</summary>
    /// <param name="session">The protocol session; this object takes ownership.</param>
    /// <param name="timers">The shared timer queue that serves the session's deadlines; its clock must be the session's.</param>
    /// <param name="maxFrameLength">The largest frame the session writes; frames are written into a buffer rented for each flush, so an idle session holds none.</param>
    /// <param name="options">The session settings, for the stream limits.</param>
    protected SttSession(Session session, TimerQueue timers, int maxFrameLength, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(timers);
        ArgumentNullException.ThrowIfNull(options);
        _session = session;
        _timers = timers;
        _maxFrameLength = maxFrameLength;
        _sendBufferLimit = options.Streams.SendBufferLimit;

        // Peer-opened streams are bounded by the MAX_STREAMS limit this side advertises; a full queue resets the stream.
        _incomingStreams = Channel.CreateBounded<int>(new BoundedChannelOptions(options.Streams.MaxIncomingStreams)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
    }

    /// <summary>Value <see cref="ReadMessageAsync"/> returns once the peer finished the stream and every message was read.</summary>
    public const int EndOfStream = -1;

    /// <summary>The 8-byte session ID both peers derived in the handshake.</summary>
    public ulong SessionId => _session.SessionId;

    /// <summary>The peer's node ID, proven by its signature in the handshake.</summary>
    public NodeId PeerNodeId => _session.PeerNodeId;

    /// <summary>Whether this side opened the session.</summary>
    public SessionRole Role => _session.Role;

    /// <summary>The transport's short name, for logs and metrics tags: <c>udp</c> or <c>websocket</c>.</summary>
    public abstract string TransportName { get; }

    /// <summary>The peer's address as the transport knows it; null when the transport cannot tell.</summary>
    public abstract EndPoint? RemoteEndPoint { get; }

    /// <summary>The session's state.</summary>
    public SessionState State
    {
        get
        {
            lock (_lock)
            {
                return _session.State;
            }
        }
    }

    /// <summary>The code the session closed with; <see cref="ProtocolErrorCode.NoError"/> while open.</summary>
    public ProtocolErrorCode CloseCode
    {
        get
        {
            lock (_lock)
            {
                return _session.CloseCode;
            }
        }
    }

    /// <summary>A snapshot of the session's counters.</summary>
    public SessionStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return _session.Statistics;
            }
        }
    }

    /// <summary>Completes once the session is closed and freed, whoever closed it.</summary>
    public Task Completion => _closed.Task;

    long ITimerTarget.ScheduledDeadline { get; set; } = long.MaxValue;

    /// <summary>The session lock: held by every call into <see cref="Protocol"/> and every <c>...Locked</c> member.</summary>
    protected Lock SyncRoot => _lock;

    /// <summary>The protocol session. Use only while holding <see cref="SyncRoot"/>, and call <see cref="PumpLocked"/> after.</summary>
    protected Session Protocol => _session;

    /// <summary>The clock of the session and its timer queue.</summary>
    protected TimeProvider Time => _timers.TimeProvider;

    /// <summary>Whether the session has been Active (the handshake completed). Read under <see cref="SyncRoot"/>.</summary>
    protected bool WasEstablished => _wasActive;

    /// <summary>Whether the session reached Closed and <see cref="OnClosedLocked"/> ran. Read under <see cref="SyncRoot"/>.</summary>
    protected bool IsFreed => _removed;

    /// <summary>Completes when the handshake completes; faults with <see cref="SessionClosedException"/> if it never does.</summary>
    protected Task EstablishedTask => _established.Task;

    /// <summary>
    /// Waits until every stream byte written so far has been sent and acknowledged by the peer (or the session is no
    /// longer active), checking every 10 ms: a graceful shutdown calls it before <see cref="CloseAsync"/> so responses
    /// already written are delivered rather than cut off by CLOSE.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task WaitForSendDrainedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_session.IsSendDrained)
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the session with CLOSE and waits until the drain period is over and the session is freed.</summary>
    /// <param name="errorCode">The code sent in CLOSE; <see cref="ProtocolErrorCode.NoError"/> by default.</param>
    /// <param name="reason">An optional human-readable reason, cut to 256 UTF-8 bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the session still finishes closing in the background.</param>
    /// <returns>Completes with <see cref="Completion"/>.</returns>
    public Task CloseAsync(ProtocolErrorCode errorCode = ProtocolErrorCode.NoError, string? reason = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _session.Close(errorCode, reason);
            PumpLocked();
        }

        return _closed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Closes the session gracefully (<see cref="CloseAsync"/> with <see cref="ProtocolErrorCode.NoError"/>).</summary>
    /// <returns>Completes once the session is freed.</returns>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    void ITimerTarget.OnTimerDue()
    {
        lock (_lock)
        {
            if (_removed)
            {
                return;
            }

            if (_session.GetNextDeadline() <= _timers.TimeProvider.GetTimestamp())
            {
                _session.OnTimer();
            }

            PumpLocked();
        }
    }

    /// <summary>
    /// Sends one frame the session produced. Called under <see cref="SyncRoot"/>; must not block on the peer. A frame
    /// the transport cannot carry may be dropped: the session's loss recovery resends what it carried.
    /// </summary>
    /// <param name="frame">The frame; valid only during the call.</param>
    protected abstract void SendFrameLocked(ReadOnlySpan<byte> frame);

    /// <summary>The session ID became known (after the handshake's key agreement). Called under <see cref="SyncRoot"/>.</summary>
    /// <param name="sessionId">The session ID.</param>
    /// <returns>False to refuse it (another live session has it): the session is then freed at once.</returns>
    protected virtual bool OnSessionIdKnownLocked(ulong sessionId) => true;

    /// <summary>
    /// The handshake completed. Called under <see cref="SyncRoot"/>, once. A transport may refuse the session by calling
    /// <see cref="Session.Close"/> on <see cref="Protocol"/>; the CLOSE is sent right after.
    /// </summary>
    protected virtual void OnEstablishedLocked()
    {
    }

    /// <summary>The session reached Closed; waiters are woken right after. Called under <see cref="SyncRoot"/>, once.</summary>
    protected virtual void OnClosedLocked()
    {
    }

    /// <summary>
    /// The transport is gone (the connection reset or the peer closed it): frees the session at once without sending
    /// anything, so every waiter gets <see cref="SessionClosedException"/> with <paramref name="reason"/>. Caller holds
    /// <see cref="SyncRoot"/>.
    /// </summary>
    /// <param name="reason">What happened to the transport.</param>
    protected void AbandonLocked(string reason)
    {
        if (_removed)
        {
            return;
        }

        _transportFailure ??= reason;
        _session.Dispose();
        PumpLocked();
    }

    /// <summary>
    /// Runs after every call into the session: sends every frame it has, reports the session ID once known, wakes
    /// stream waiters, follows state changes and re-arms the timer. Caller holds <see cref="SyncRoot"/>.
    /// </summary>
    protected void PumpLocked()
    {
        if (_removed)
        {
            return;
        }

        FlushLocked();
        if (!_idKnown && _session.SessionId != 0)
        {
            _idKnown = true;
            if (!OnSessionIdKnownLocked(_session.SessionId))
            {
                // Two live sessions with one ID would each see the other's frames fail authentication.
                _session.Dispose();
            }
        }

        // Refusing a peer's stream or a session the transport cannot take queues frames of its own: send them now, since
        // no deadline of the session would otherwise wake it before the next frame arrives.
        bool queued = DrainStreamEventsLocked();
        SessionState state = _session.State;
        if (!_wasActive && state == SessionState.Active)
        {
            _wasActive = true;
            _established.TrySetResult();
            OnEstablishedLocked();
            queued |= _session.State != SessionState.Active;
        }

        if (queued)
        {
            FlushLocked();
            state = _session.State;
        }

        if (state == SessionState.Closed)
        {
            _removed = true;
            OnClosedLocked();
            WakeAllLocked();
            return;
        }

        _timers.Schedule(this, _session.GetNextDeadline());
    }

    /// <summary>The exception waiters get once the session is closed. Caller holds <see cref="SyncRoot"/>.</summary>
    /// <returns>The exception, describing how the session ended.</returns>
    protected SessionClosedException CreateClosedExceptionLocked()
    {
        ProtocolErrorCode code = _session.CloseCode;
        string message = _transportFailure is not null
            ? _transportFailure
            : _wasActive
                ? $"The session closed with {code}{(_session.ClosedByPeer ? " by the peer" : string.Empty)}."
                : code == ProtocolErrorCode.HandshakeTimeout
                    ? "The handshake did not complete within the handshake timeout."
                    : $"The handshake was abandoned ({code}).";
        return new SessionClosedException(code, _session.ClosedByPeer, message);
    }

    private void FlushLocked()
    {
        // Borrowed per flush from the thread, not held per session: thousands of idle sessions keep no frame-sized buffer
        // each. (Renting from the shared pool per flush allocated a fresh 16 KiB array on busy fan-out threads, 3% of
        // a node's CPU in zeroing alone.) The buffer is taken while in use, so a nested flush on the same thread, which
        // no transport makes today, would allocate its own; a thread keeps the largest it has needed.
        byte[]? buffer = _threadFrameBuffer;
        _threadFrameBuffer = null;
        if (buffer is null || buffer.Length < _maxFrameLength)
        {
            buffer = GC.AllocateUninitializedArray<byte>(_maxFrameLength);
        }

        try
        {
            Span<byte> frame = buffer.AsSpan(0, _maxFrameLength);
            int length;
            while ((length = _session.WriteNextFrame(frame)) > 0)
            {
                SendFrameLocked(frame[..length]);
            }
        }
        finally
        {
            _threadFrameBuffer = buffer;
        }
    }

    private void WakeAllLocked()
    {
        _established.TrySetException(CreateClosedExceptionLocked());
        _incomingStreams.Writer.TryComplete();
        _streamsAvailable.Set();
        foreach (StreamSignals signals in _streamSignals.Values)
        {
            signals.SetAll();
        }

        _closed.TrySetResult();
    }

    /// <returns>Whether a refused peer stream queued RESET_STREAM and STOP_SENDING.</returns>
    private bool DrainStreamEventsLocked()
    {
        bool queued = false;
        while (_session.TryDequeueStreamEvent(out StreamEvent streamEvent))
        {
            switch (streamEvent.Kind)
            {
                case StreamEventKind.Opened:
                    if (!_incomingStreams.Writer.TryWrite(streamEvent.StreamId))
                    {
                        _session.Reset(streamEvent.StreamId, 0);
                        _session.StopSending(streamEvent.StreamId, 0);
                        queued = true;
                    }

                    break;
                case StreamEventKind.Readable:
                    GetSignalsLocked(streamEvent.StreamId).Readable.Set();
                    break;
                case StreamEventKind.Writable:
                case StreamEventKind.Stopped:
                    GetSignalsLocked(streamEvent.StreamId).Writable.Set();
                    break;
                case StreamEventKind.Closed:
                    if (_streamSignals.Remove(streamEvent.StreamId, out StreamSignals? signals))
                    {
                        signals.SetAll();
                    }

                    break;
                case StreamEventKind.StreamsAvailable:
                    _streamsAvailable.Set();
                    break;
            }
        }

        return queued;
    }

    private StreamSignals GetSignalsLocked(int streamId)
    {
        if (!_streamSignals.TryGetValue(streamId, out StreamSignals? signals))
        {
            signals = new StreamSignals();
            _streamSignals.Add(streamId, signals);
        }

        return signals;
    }

    private void ThrowIfNotActiveLocked()
    {
        if (_session.State != SessionState.Active)
        {
            throw _session.State == SessionState.Handshake
                ? new InvalidOperationException("The session is not established yet.")
                : CreateClosedExceptionLocked();
        }
    }
}

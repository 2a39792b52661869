using System.Net;
using System.Threading.Channels;
using Stt.Protocol;
using Stt.Protocol.Encoding;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Stt.Protocol.Streams;
using Stt.Transport.Udp.Internal;
using Stt.Transport.Udp.Security.Internal;

namespace Stt.Transport.Udp;

/// <summary>
/// One STT session carried by a <see cref="UdpEndpoint"/>: an async stream API over the sans-I/O
/// <see cref="Session"/>.
/// </summary>
/// <remarks>
/// Thread-safe. Every call into the protocol session, from the application, the receive loop or the timer loop, runs
/// under one lock per session; frames the call produces are sent from that thread before the lock is released. One
/// reader and one writer per stream at a time.
/// </remarks>
public sealed partial class UdpSession : IAsyncDisposable, ITimerTarget
{
    private readonly Lock _lock = new();
    private readonly UdpEndpoint _endpoint;
    private readonly Session _session;
    private readonly byte[] _sendBuffer;
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<int> _incomingStreams;
    private readonly Dictionary<int, StreamSignals> _streamSignals = [];
    private readonly AsyncSignal _streamsAvailable = new();
    private readonly int _sendBufferLimit;
    private readonly AmplificationBudget? _amplification;
    private SocketAddress _peer;
    private byte[]? _hello;
    private byte[]? _retryToken;
    private byte[]? _cookieHelloBuffer;
    private bool _halfOpen;
    private bool _wasActive;
    private bool _removed;

    /// <param name="endpoint">The endpoint whose socket carries the session.</param>
    /// <param name="session">The protocol session; this object takes ownership.</param>
    /// <param name="peer">Where frames are sent until an authenticated frame arrives from elsewhere.</param>
    /// <param name="handshakeId">The ID HANDSHAKE, RETRY and COOKIE_HELLO frames of this session carry.</param>
    /// <param name="amplification">For an inbound session, the send budget toward its unvalidated peer (its presence
    /// also marks the session half open); null for an outbound one.</param>
    /// <param name="options">The session settings, for the stream limits.</param>
    internal UdpSession(UdpEndpoint endpoint, Session session, SocketAddress peer, ulong handshakeId, AmplificationBudget? amplification, SessionOptions options)
    {
        _endpoint = endpoint;
        _session = session;
        _peer = peer;
        _amplification = amplification;
        _halfOpen = amplification is not null;
        _sendBuffer = GC.AllocateUninitializedArray<byte>(endpoint.DatagramBudget, pinned: true);
        _sendBufferLimit = options.Streams.SendBufferLimit;
        HandshakeKey = handshakeId;

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

    /// <summary>The address the peer's authenticated frames last came from, and where frames are sent.</summary>
    public EndPoint RemoteEndPoint
    {
        get
        {
            lock (_lock)
            {
                return _endpoint.ToEndPoint(_peer);
            }
        }
    }

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

    internal ulong HandshakeKey { get; }

    internal ulong SessionKey { get; private set; }

    internal Task Established => _established.Task;

    /// <summary>Closes the session with CLOSE and waits until the drain period is over and the session is freed.</summary>
    /// <param name="errorCode">The code sent in CLOSE; <see cref="ProtocolErrorCode.NoError"/> by default.</param>
    /// <param name="reason">An optional human-readable reason, cut to 256 UTF-8 bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the session still finishes closing in the background.</param>
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
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>Sends whatever the new session has queued (the HELLO or the RESPONSE) and arms its timer.</summary>
    internal void Start()
    {
        lock (_lock)
        {
            PumpLocked();
        }
    }

    /// <summary>Feeds one frame, routed here by its ID, to the session.</summary>
    /// <param name="datagram">The frame: the whole datagram, or the HELLO inside a repeated COOKIE_HELLO.</param>
    /// <param name="source">Where the datagram came from.</param>
    /// <param name="receivedLength">The whole datagram's length, credited to the amplification budget.</param>
    /// <param name="pump">False when the receive loop calls <see cref="Pump"/> itself once its batch of datagrams ends;
    /// ignored unless the session was and stays Active.</param>
    internal void OnDatagram(Span<byte> datagram, SocketAddress source, int receivedLength, bool pump = true)
    {
        lock (_lock)
        {
            if (_amplification is { IsValidated: false } && _peer.Equals(source))
            {
                // Only bytes from the peer's own address earn sends to it; a spoofer cannot raise the budget toward its victim.
                _amplification.OnReceived(receivedLength);
            }

            SessionReceiveStatus status = _session.Receive(datagram);
            if (status == SessionReceiveStatus.Accepted)
            {
                if (_wasActive && !_peer.Equals(source))
                {
                    // Only a frame that authenticated moves the session, so a spoofed source cannot redirect it.
                    _peer = UdpEndpoint.Copy(source);
                    UdpMetrics.Migrations.Add(1);
                }
            }
            else
            {
                UdpMetrics.Dropped(DropReason.For(status));
            }

            // Only the established, steady state is deferred: the pump is what notices the session become Active or
            // close, and a CLOSE batched behind the frame that completed the handshake must not hide the success.
            if (pump || !_wasActive || _session.State != SessionState.Active)
            {
                PumpLocked();
            }
        }
    }

    /// <summary>Sends what the session owes after a batch of <see cref="OnDatagram"/> calls, and wakes its waiters.</summary>
    internal void Pump()
    {
        lock (_lock)
        {
            PumpLocked();
        }
    }

    /// <summary>
    /// A RETRY for this handshake (docs/protocol.md, section 15.6): the first one from the responder's address gives the
    /// token that every later HELLO carries, and the HELLO goes out again at once, wrapped as COOKIE_HELLO.
    /// </summary>
    internal void OnRetry(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        lock (_lock)
        {
            // A second RETRY is ignored, so a forged or looping one cannot keep the handshake from completing.
            if (_removed
                || _retryToken is not null
                || _session.Role != SessionRole.Initiator
                || _session.State != SessionState.Handshake
                || !_peer.Equals(source)
                || !RetryFrames.TryReadRetry(datagram, HandshakeKey, out ReadOnlySpan<byte> token))
            {
                UdpMetrics.Dropped(DropReason.Unexpected);
                return;
            }

            UdpMetrics.Handshake(HandshakeOutcome.Initiator, HandshakeOutcome.RetryReceived);
            _retryToken = token.ToArray();
            _cookieHelloBuffer = GC.AllocateUninitializedArray<byte>(_endpoint.DatagramBudget, pinned: true);
            if (_hello is not null)
            {
                int length = RetryFrames.WrapHello(_hello, _retryToken, _cookieHelloBuffer);
                _endpoint.Send(_cookieHelloBuffer.AsSpan(0, length), _peer);
            }
        }
    }

    void ITimerTarget.OnTimerDue()
    {
        lock (_lock)
        {
            if (_removed)
            {
                return;
            }

            if (_session.GetNextDeadline() <= _endpoint.Time.GetTimestamp())
            {
                _session.OnTimer();
            }

            PumpLocked();
        }
    }

    /// <summary>Abandons a handshake whose caller stopped waiting.</summary>
    internal void Abort()
    {
        lock (_lock)
        {
            _session.Close(ProtocolErrorCode.NoError);
            PumpLocked();
        }
    }

    /// <summary>Endpoint shutdown: sends CLOSE with SHUTTING_DOWN and frees the session at once.</summary>
    internal void Shutdown()
    {
        lock (_lock)
        {
            _session.Close(ProtocolErrorCode.ShuttingDown);
            PumpLocked();
            _session.Dispose();
            PumpLocked();
        }
    }

    /// <summary>
    /// Runs after every call into the session: sends every frame it has, routes the session ID once known, wakes
    /// stream waiters, follows state changes and re-arms the timer. Caller holds <see cref="_lock"/>.
    /// </summary>
    private void PumpLocked()
    {
        if (_removed)
        {
            return;
        }

        FlushLocked();
        if (SessionKey == 0 && _session.SessionId != 0)
        {
            SessionKey = _session.SessionId;
            if (!_endpoint.TryRoute(this, SessionKey))
            {
                // Two live sessions with one ID would each see the other's frames fail authentication.
                _session.Dispose();
            }
        }

        // Refusing a peer's stream or a session the backlog cannot hold queues frames of its own: send them now, since
        // no deadline of the session would otherwise wake it before the next datagram.
        bool queued = DrainStreamEventsLocked();
        SessionState state = _session.State;
        if (!_wasActive && state == SessionState.Active)
        {
            queued |= OnEstablishedLocked();
        }

        if (queued)
        {
            FlushLocked();
            state = _session.State;
        }

        if (state == SessionState.Closed)
        {
            OnClosedLocked();
            return;
        }

        _endpoint.Timers.Schedule(this, _session.GetNextDeadline());
    }

    private void FlushLocked()
    {
        int length;
        while ((length = _session.WriteNextFrame(_sendBuffer)) > 0)
        {
            ReadOnlySpan<byte> datagram = _sendBuffer.AsSpan(0, length);
            if (datagram[0] == (byte)FrameType.Handshake && datagram[1] == (byte)FrameFlags.None)
            {
                // The session owns its HELLO bytes and resends them only on its own timer; a RETRY needs them at once.
                _hello ??= datagram.ToArray();
                if (_retryToken is not null)
                {
                    datagram = _cookieHelloBuffer.AsSpan(0, RetryFrames.WrapHello(datagram, _retryToken, _cookieHelloBuffer));
                }
            }

            if (_amplification is not null && !_amplification.TryConsume(datagram.Length))
            {
                // Skipped, not queued: the initiator retransmits, and each retransmission both earns and draws the reply.
                UdpMetrics.Dropped(DropReason.AmplificationLimit);
                continue;
            }

            _endpoint.Send(datagram, _peer);
        }
    }

    /// <returns>Whether the session queued frames (a CLOSE when the accept backlog is full).</returns>
    private bool OnEstablishedLocked()
    {
        _wasActive = true;
        UdpMetrics.SessionsActive.Add(1);
        if (_session.Role == SessionRole.Initiator)
        {
            _hello = null;
            _retryToken = null;
            _cookieHelloBuffer = null;
            UdpMetrics.Handshake(HandshakeOutcome.Initiator, HandshakeOutcome.Completed);
            _established.TrySetResult();
            return false;
        }

        UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.Completed);

        // AUTH_PROOF verified: the initiator read the RESPONSE sent to this address, so the address is proven (section 15.5).
        _amplification?.MarkValidated();
        LeaveHalfOpenLocked();
        if (_endpoint.TryEnqueueAccepted(this))
        {
            return false;
        }

        _session.Close(ProtocolErrorCode.InternalError, "accept backlog full");
        return true;
    }

    private void OnClosedLocked()
    {
        _removed = true;
        _endpoint.Unroute(this);
        LeaveHalfOpenLocked();
        if (_wasActive)
        {
            UdpMetrics.SessionsActive.Add(-1);
        }
        else
        {
            string role = _session.Role == SessionRole.Initiator ? HandshakeOutcome.Initiator : HandshakeOutcome.Responder;
            UdpMetrics.Handshake(role, _session.CloseCode == ProtocolErrorCode.HandshakeTimeout ? HandshakeOutcome.Timeout : HandshakeOutcome.Abandoned);
        }

        _established.TrySetException(CreateClosedException());
        _incomingStreams.Writer.TryComplete();
        _streamsAvailable.Set();
        foreach (StreamSignals signals in _streamSignals.Values)
        {
            signals.SetAll();
        }

        _closed.TrySetResult();
    }

    private void LeaveHalfOpenLocked()
    {
        if (_halfOpen)
        {
            _halfOpen = false;
            _endpoint.OnHalfOpenEnded();
        }
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

    private SessionClosedException CreateClosedException()
    {
        ProtocolErrorCode code = _session.CloseCode;
        string message = _wasActive
            ? $"The session closed with {code}{(_session.ClosedByPeer ? " by the peer" : string.Empty)}."
            : code == ProtocolErrorCode.HandshakeTimeout
                ? "The handshake did not complete within the handshake timeout."
                : $"The handshake was abandoned ({code}).";
        return new SessionClosedException(code, _session.ClosedByPeer, message);
    }

    private void ThrowIfNotActiveLocked()
    {
        if (_session.State != SessionState.Active)
        {
            throw _session.State == SessionState.Handshake
                ? new InvalidOperationException("The session is not established yet.")
                : CreateClosedException();
        }
    }
}

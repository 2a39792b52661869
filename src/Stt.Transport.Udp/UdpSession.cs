using System.Net;
using Stt.Protocol;
using Stt.Protocol.Encoding;
using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Internal;
using Stt.Transport.Udp.Security.Internal;

namespace Stt.Transport.Udp;

/// <summary>
/// One STT session carried by a <see cref="UdpEndpoint"/>: the <see cref="SttSession"/> stream API, one datagram per
/// frame, with the endpoint's address validation (RETRY, COOKIE_HELLO, the amplification budget) and migration.
/// </summary>
/// <remarks>
/// Thread-safe. Every call into the protocol session, from the application, the receive loop or the timer loop, runs
/// under one lock per session; frames the call produces are sent from that thread before the lock is released. One
/// reader and one writer per stream at a time.
/// </remarks>
public sealed class UdpSession : SttSession
{
    private readonly UdpEndpoint _endpoint;
    private readonly AmplificationBudget? _amplification;
    private SocketAddress _peer;
    private byte[]? _hello;
    private byte[]? _retryToken;
    private byte[]? _cookieHelloBuffer;
    private bool _halfOpen;

    /// <param name="endpoint">The endpoint whose socket carries the session.</param>
    /// <param name="session">The protocol session; this object takes ownership.</param>
    /// <param name="peer">Where frames are sent until an authenticated frame arrives from elsewhere.</param>
    /// <param name="handshakeId">The ID HANDSHAKE, RETRY and COOKIE_HELLO frames of this session carry.</param>
    /// <param name="amplification">For an inbound session, the send budget toward its unvalidated peer (its presence
    /// also marks the session half open); null for an outbound one.</param>
    /// <param name="options">The session settings, for the stream limits.</param>
    internal UdpSession(UdpEndpoint endpoint, Session session, SocketAddress peer, ulong handshakeId, AmplificationBudget? amplification, SessionOptions options)
        : base(session, endpoint.Timers, endpoint.DatagramBudget, options)
    {
        _endpoint = endpoint;
        _peer = peer;
        _amplification = amplification;
        _halfOpen = amplification is not null;
        HandshakeKey = handshakeId;
    }

    /// <inheritdoc/>
    public override string TransportName => "udp";

    /// <summary>The address the peer's authenticated frames last came from, and where frames are sent.</summary>
    public override EndPoint RemoteEndPoint
    {
        get
        {
            lock (SyncRoot)
            {
                return _endpoint.ToEndPoint(_peer);
            }
        }
    }

    internal ulong HandshakeKey { get; }

    internal ulong SessionKey { get; private set; }

    internal Task Established => EstablishedTask;

    /// <summary>Sends whatever the new session has queued (the HELLO or the RESPONSE) and arms its timer.</summary>
    internal void Start()
    {
        lock (SyncRoot)
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
        lock (SyncRoot)
        {
            if (_amplification is { IsValidated: false } && _peer.Equals(source))
            {
                // Only bytes from the peer's own address earn sends to it; a spoofer cannot raise the budget toward its victim.
                _amplification.OnReceived(receivedLength);
            }

            SessionReceiveStatus status = Protocol.Receive(datagram);
            if (status == SessionReceiveStatus.Accepted)
            {
                if (WasEstablished && !_peer.Equals(source))
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
            if (pump || !WasEstablished || Protocol.State != SessionState.Active)
            {
                PumpLocked();
            }
        }
    }

    /// <summary>Sends what the session owes after a batch of <see cref="OnDatagram"/> calls, and wakes its waiters.</summary>
    internal void Pump()
    {
        lock (SyncRoot)
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
        lock (SyncRoot)
        {
            // A second RETRY is ignored, so a forged or looping one cannot keep the handshake from completing.
            if (IsFreed
                || _retryToken is not null
                || Protocol.Role != SessionRole.Initiator
                || Protocol.State != SessionState.Handshake
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

    /// <summary>Abandons a handshake whose caller stopped waiting.</summary>
    internal void Abort()
    {
        lock (SyncRoot)
        {
            Protocol.Close(ProtocolErrorCode.NoError);
            PumpLocked();
        }
    }

    /// <summary>Endpoint shutdown: sends CLOSE with SHUTTING_DOWN and frees the session at once.</summary>
    internal void Shutdown()
    {
        lock (SyncRoot)
        {
            Protocol.Close(ProtocolErrorCode.ShuttingDown);
            PumpLocked();
            Protocol.Dispose();
            PumpLocked();
        }
    }

    /// <inheritdoc/>
    protected override void SendFrameLocked(ReadOnlySpan<byte> frame)
    {
        ReadOnlySpan<byte> datagram = frame;
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
            return;
        }

        _endpoint.Send(datagram, _peer);
    }

    /// <summary>Routes the session ID on the endpoint; refused when another live session has it.</summary>
    protected override bool OnSessionIdKnownLocked(ulong sessionId)
    {
        SessionKey = sessionId;
        return _endpoint.TryRoute(this, sessionId);
    }

    /// <summary>Counts the session; a responder's address is now validated, and it joins the accept backlog or is closed.</summary>
    protected override void OnEstablishedLocked()
    {
        UdpMetrics.SessionsActive.Add(1);
        if (Protocol.Role == SessionRole.Initiator)
        {
            _hello = null;
            _retryToken = null;
            _cookieHelloBuffer = null;
            UdpMetrics.Handshake(HandshakeOutcome.Initiator, HandshakeOutcome.Completed);
            return;
        }

        UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.Completed);

        // AUTH_PROOF verified: the initiator read the RESPONSE sent to this address, so the address is proven (section 15.5).
        _amplification?.MarkValidated();
        LeaveHalfOpenLocked();
        if (!_endpoint.TryEnqueueAccepted(this))
        {
            Protocol.Close(ProtocolErrorCode.InternalError, "accept backlog full");
        }
    }

    /// <summary>Unroutes the session and counts how it ended.</summary>
    protected override void OnClosedLocked()
    {
        _endpoint.Unroute(this);
        LeaveHalfOpenLocked();
        if (WasEstablished)
        {
            UdpMetrics.SessionsActive.Add(-1);
        }
        else
        {
            string role = Protocol.Role == SessionRole.Initiator ? HandshakeOutcome.Initiator : HandshakeOutcome.Responder;
            UdpMetrics.Handshake(role, Protocol.CloseCode == ProtocolErrorCode.HandshakeTimeout ? HandshakeOutcome.Timeout : HandshakeOutcome.Abandoned);
        }
    }

    private void LeaveHalfOpenLocked()
    {
        if (_halfOpen)
        {
            _halfOpen = false;
            _endpoint.OnHalfOpenEnded();
        }
    }
}

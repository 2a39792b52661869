using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Protocol.Protection;
using Stt.Protocol.Recovery;
using Stt.Protocol.Recovery.Congestion;
using Stt.Protocol.Sessions.Internal;
using Stt.Protocol.Streams;

namespace Stt.Protocol.Sessions;

/// <summary>
/// One STT session, sans-I/O: the handshake, frame protection, loss recovery and streams of one peer pair.
/// </summary>
/// <remarks>
/// A transport drives it with four calls: <see cref="Receive"/> for every frame that arrives,
/// <see cref="WriteNextFrame"/> until it returns 0 after any event, <see cref="OnTimer"/> when
/// <see cref="GetNextDeadline"/> passes, and the stream methods for the application. The session never touches a
/// socket or the wall clock; time comes from the <see cref="TimeProvider"/> it was given. It is not thread-safe: the
/// caller serialises every call.
/// </remarks>
public sealed partial class Session : IDisposable
{
    private const int MaxCloseReasonBytes = 256;

    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _createdAt;

    private FrameSealer? _sealer;
    private FrameOpener? _opener;
    private AckTracker? _acks;
    private SentFrameTracker<SentPayload>? _sent;
    private StreamManager? _streams;
    private NewRenoCongestionController? _congestion;
    private Pacer? _pacer;
    private long _pacingDeadline = long.MaxValue;

    private long _lastReceivedAt;
    private long _lastAckElicitingSentAt;
    private long _drainDeadline = long.MaxValue;
    private bool _closePending;
    private byte[] _closeReason = [];
    private int _probesPending;
    private int _ackOnlyFramesSincePing;

    private long _bytesSent;
    private long _bytesReceived;
    private long _framesSent;
    private long _framesReceived;
    private long _messagesSent;
    private long _messagesReceived;
    private long _framesDropped;
    private long _framesRetransmitted;
    private DateTimeOffset _lastActivityAt;

    private Session(SessionRole role, SessionOptions options, TimeProvider timeProvider)
    {
        Role = role;
        _options = options;
        _time = timeProvider;
        _createdAt = timeProvider.GetUtcNow();
        _lastActivityAt = _createdAt;
        _lastReceivedAt = timeProvider.GetTimestamp();
        _lastAckElicitingSentAt = _lastReceivedAt;
    }

    /// <summary>Which side of the handshake this session played; it fixes the parity of locally opened stream IDs.</summary>
    public SessionRole Role { get; }

    /// <summary>The session's state.</summary>
    public SessionState State { get; private set; } = SessionState.Handshake;

    /// <summary>
    /// The 8-byte session ID (docs/protocol.md, section 6): known to the responder once it answered the HELLO and to the
    /// initiator once it accepted the RESPONSE, so a transport can route AUTH_PROOF and FINAL by it; 0 before.
    /// </summary>
    public ulong SessionId { get; private set; }

    /// <summary>The peer's node ID, proven by its signature; default until the handshake completes.</summary>
    public NodeId PeerNodeId { get; private set; }

    /// <summary>This node's ID.</summary>
    public NodeId LocalNodeId { get; private set; }

    /// <summary>The code this session was closed with, by either side; <see cref="ProtocolErrorCode.NoError"/> while open.</summary>
    public ProtocolErrorCode CloseCode { get; private set; }

    /// <summary>Whether the peer, rather than this side, closed the session.</summary>
    public bool ClosedByPeer { get; private set; }

    /// <summary>A snapshot of the session's counters.</summary>
    public SessionStatistics Statistics => new(
        _bytesSent,
        _bytesReceived,
        _framesSent,
        _framesReceived,
        _messagesSent,
        _messagesReceived,
        _framesDropped,
        _framesRetransmitted,
        _createdAt,
        _lastActivityAt,
        _streams?.ActiveStreamCount ?? 0,
        _sealer?.Epoch ?? 0,
        _opener?.Epoch ?? 0,
        _sent?.Rtt.SmoothedRtt ?? _options.Recovery.InitialRtt,
        _congestion?.CongestionWindow ?? _options.Congestion.InitialWindow,
        _congestion?.BytesInFlight ?? 0,
        _streams?.MessagesDiscarded ?? 0,
        _streams?.BytesDiscarded ?? 0,
        _streams?.BytesSkipped ?? 0);

    /// <summary>Closes the session: sends CLOSE with <paramref name="code"/>, then drains for three probe timeouts.</summary>
    /// <remarks>During the handshake, or once closed, the session moves straight to <see cref="SessionState.Closed"/>.</remarks>
    public void Close(ProtocolErrorCode code = ProtocolErrorCode.NoError, string? reason = null)
    {
        if (State is SessionState.Closing or SessionState.Closed)
        {
            return;
        }

        CloseCode = code;
        if (State == SessionState.Handshake)
        {
            EnterClosed();
            return;
        }

        _closeReason = EncodeReason(reason);
        _closePending = true;
        State = SessionState.Closing;
    }

    /// <summary>Frees keys and buffers. The session is unusable afterwards.</summary>
    public void Dispose()
    {
        if (State != SessionState.Closed)
        {
            State = SessionState.Closed;
        }

        ReleaseResources();
    }

    private void EnterClosed()
    {
        State = SessionState.Closed;
        _closePending = false;
        ReleaseResources();
    }

    private void ReleaseResources()
    {
        _sealer?.Dispose();
        _opener?.Dispose();
        _streams?.Dispose();
        _initiator = null;
        _responder = null;
        _handshakeFrame = null;
    }

    private void CloseForViolation(ProtocolViolationException violation) =>
        Close(violation.ErrorCode, violation.Message);

    private static byte[] EncodeReason(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return [];
        }

        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(reason);
        if (bytes.Length <= MaxCloseReasonBytes)
        {
            return bytes;
        }

        // Cut on a character boundary so the reason stays valid UTF-8 (docs/protocol.md, section 9).
        int length = MaxCloseReasonBytes;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return bytes.AsSpan(0, length).ToArray();
    }

    private long After(long timestamp, TimeSpan interval) =>
        interval == Timeout.InfiniteTimeSpan || interval == TimeSpan.MaxValue
            ? long.MaxValue
            : timestamp + (long)Math.Ceiling(interval.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    private void Activate(HandshakeResult result)
    {
        using (result)
        {
            SessionId = result.SessionId;
            PeerNodeId = result.PeerNodeId;
            LocalNodeId = result.LocalNodeId;
            _sealer = new FrameSealer(result.SendSecret, result.SessionId, _options.Protection, _time);
            _opener = new FrameOpener(result.ReceiveSecret, result.SessionId, _options.Protection, _time);
        }

        _acks = new AckTracker(_options.Recovery, _time);
        _sent = new SentFrameTracker<SentPayload>(_options.Recovery, _time);
        _streams = new StreamManager(Role, _options.Streams, _time);
        _congestion = new NewRenoCongestionController(_options.Congestion, _time);
        _pacer = new Pacer(_options.Congestion, _time);
        long now = _time.GetTimestamp();
        _lastReceivedAt = now;
        _lastAckElicitingSentAt = now;
        State = SessionState.Active;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;
using Stt.Transport.Timing;
using Stt.Transport.Udp.Internal;
using Stt.Transport.Udp.Interop;
using Stt.Transport.Udp.Security.Internal;

namespace Stt.Transport.Udp;

/// <summary>
/// One UDP socket carrying any number of STT sessions, inbound and outbound: a receive loop that routes datagrams by
/// their 8-byte ID, and a timer loop that serves every session's deadlines.
/// </summary>
/// <remarks>
/// Frames are sent synchronously by whichever thread holds the session's lock (the receive loop, the timer loop or the
/// application), one datagram per frame, from a per-session buffer. Disposing closes every session with
/// SHUTTING_DOWN, then stops both loops and awaits them.
/// </remarks>
public sealed partial class UdpEndpoint : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NodeIdentity _identity;
    private readonly SharedSeed _sharedSeed;
    private readonly HelloReplayCache _replayCache;
    private readonly HandshakeGuard _guard;
    private readonly SessionOptions _initiatorOptions;
    private readonly SessionOptions _responderOptions;
    private readonly UdpTransportOptions _options;
    private readonly EndPoint _addressTemplate;
    private readonly Lock _tableLock = new();
    private readonly Dictionary<ulong, UdpSession> _byHandshakeId = [];
    private readonly Dictionary<ulong, UdpSession> _bySessionId = [];
    private readonly HashSet<UdpSession> _sessions = [];
    private readonly Channel<UdpSession> _accepted;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ImpairedReceiver? _impairment;
    private readonly SendBatcher? _batcher;
    private readonly Task _receiveTask;
    private readonly Task _timerTask;
    // Datagrams, and bytes, processed before the receive loop sends what they call for even though more are waiting.
    // With the session's ACK after every 2 frames, a batch of 64 draws one ACK instead of 32: against a batch of 16 it
    // raised loopback goodput at 1200 bytes from 79/88/90 to 85/103/95 MB/s (docs/benchmarks.md, "UDP transport").
    // The byte bound, half the default stream receive window, keeps a batch of large datagrams from holding back the
    // reader's wake-up and the window updates it frees.
    private const int MaxReceiveBatch = 64;
    private const int MaxReceiveBatchBytes = 128 * 1024;

    private UdpSession? _deferred;
    private int _halfOpen;
    private int _disposed;

    /// <summary>Binds a UDP socket to <paramref name="localEndPoint"/> and starts the receive and timer loops.</summary>
    /// <param name="localEndPoint">Where to bind; port 0 picks an ephemeral port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="identity">This node's identity; the caller keeps ownership.</param>
    /// <param name="sharedSeed">The seed shared with peers; the caller keeps ownership.</param>
    /// <param name="options">Endpoint settings; <see cref="UdpTransportOptions.Default"/> when null.</param>
    /// <param name="timeProvider">The clock of every session and timer; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException"><see cref="UdpTransportOptions.HandshakeGuard"/> is inconsistent: its retry
    /// threshold exceeds its half-open cap, or its secret rotation is shorter than two token buckets.</exception>
    public UdpEndpoint(
        EndPoint localEndPoint,
        NodeIdentity identity,
        SharedSeed sharedSeed,
        UdpTransportOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(sharedSeed);
        options ??= UdpTransportOptions.Default;
        options.Validate();
        _options = options;
        _identity = identity;
        _sharedSeed = sharedSeed;
        Time = timeProvider ?? TimeProvider.System;
        DatagramBudget = options.DatagramBudget;

        // A frame is a header of at least 23 bytes and its body; one frame fills at most one datagram.
        int maxBody = options.DatagramBudget - FrameHeader.FixedSize - 1;
        SessionOptions session = options.Session;
        _initiatorOptions = session with
        {
            MaxFrameBodyLength = Math.Min(session.MaxFrameBodyLength, maxBody),
            // Room for the COOKIE_HELLO wrapper, so a HELLO repeated after a RETRY still fits one datagram (section 15.1).
            HelloPaddedLength = options.DatagramBudget - RetryFrames.CookieHelloOverhead,
        };
        TimeSpan halfOpen = options.HalfOpenTimeout < session.Handshake.HandshakeTimeout ? options.HalfOpenTimeout : session.Handshake.HandshakeTimeout;
        _responderOptions = _initiatorOptions with { Handshake = session.Handshake with { HandshakeTimeout = halfOpen } };
        _replayCache = new HelloReplayCache(session.Handshake, Time);
        _guard = new HandshakeGuard(options.HandshakeGuard, Time);
        _accepted = Channel.CreateBounded<UdpSession>(new BoundedChannelOptions(options.AcceptBacklog)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
        });

        _socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (localEndPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                _socket.DualMode = options.DualMode;
            }

            if (options.ReceiveBufferSize is { } receiveBuffer)
            {
                _socket.ReceiveBufferSize = receiveBuffer;
            }

            if (options.SendBufferSize is { } sendBuffer)
            {
                _socket.SendBufferSize = sendBuffer;
            }

            _socket.Bind(localEndPoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = _socket.LocalEndPoint!;
        _addressTemplate = LocalEndPoint;
        Timers = new TimerQueue(Time);
        if (options.BatchSends && LinuxMultipleMessages.IsSupported)
        {
            _batcher = new SendBatcher(_socket, options.DatagramBudget);
        }

        if (options.Impairment is { } impairment)
        {
            _impairment = new ImpairedReceiver(this, impairment);
        }

        _receiveTask = ReceiveLoopAsync(_shutdown.Token);
        _timerTask = Timers.RunAsync(_shutdown.Token);
    }

    /// <summary>The address the socket is bound to, with the actual port.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Sessions routed by this endpoint: in handshake, established, or closing.</summary>
    public int SessionCount
    {
        get
        {
            lock (_tableLock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Inbound sessions whose handshake is still in progress: what the handshake guard's limits count.</summary>
    internal int HalfOpenCount => Volatile.Read(ref _halfOpen);

    internal TimeProvider Time { get; }

    internal int DatagramBudget { get; }

    internal TimerQueue Timers { get; }

    /// <summary>The impairment stage, when <see cref="UdpTransportOptions.Impairment"/> is set; tests flip its blackhole.</summary>
    internal ImpairedReceiver? Impairment => _impairment;

    /// <summary>Opens a session to <paramref name="remote"/> and completes once it is established.</summary>
    /// <param name="remote">The peer's address.</param>
    /// <param name="cancellationToken">Abandons the handshake.</param>
    /// <returns>The established session.</returns>
    /// <exception cref="SessionClosedException">The handshake timed out (no FINAL within the handshake timeout) or was abandoned.</exception>
    public async Task<UdpSession> ConnectAsync(EndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SocketAddress address = ToSocketAddress(remote);
        Session session = Session.Connect(_identity, _sharedSeed, _initiatorOptions, Time);
        var udp = new UdpSession(this, session, address, session.HandshakeId, amplification: null, _initiatorOptions);
        lock (_tableLock)
        {
            if (!_byHandshakeId.TryAdd(udp.HandshakeKey, udp))
            {
                session.Dispose();
                throw new InvalidOperationException("A handshake with the same random ID is in progress; try again.");
            }

            _sessions.Add(udp);
        }

        udp.Start();
        try
        {
            await udp.Established.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            udp.Abort();
            throw;
        }

        return udp;
    }

    /// <summary>Waits for the next established inbound session.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The session, already Active.</returns>
    /// <exception cref="ObjectDisposedException">The endpoint was disposed.</exception>
    public async ValueTask<UdpSession> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_accepted.Reader.TryRead(out UdpSession? session))
            {
                return session;
            }
        }

        throw new ObjectDisposedException(nameof(UdpEndpoint));
    }

    /// <summary>Closes every session with SHUTTING_DOWN, stops the receive and timer loops and awaits them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _accepted.Writer.TryComplete();

        // CLOSE goes out while the socket is still open; AdmitHello refuses new HELLOs from here on, and the second
        // pass frees any session the receive loop admitted while the first ran.
        ShutdownSessions();
        _batcher?.FlushPending();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receiveTask.ConfigureAwait(false);
        await _timerTask.ConfigureAwait(false);
        ShutdownSessions();
        _impairment?.Dispose();
        Timers.Dispose();
        _shutdown.Dispose();
    }

    private void ShutdownSessions()
    {
        UdpSession[] sessions;
        lock (_tableLock)
        {
            sessions = [.. _sessions];
        }

        foreach (UdpSession session in sessions)
        {
            session.Shutdown();
        }
    }

    /// <summary>Sends one datagram. Called with the owning session's lock held; a UDP send does not wait for the peer.</summary>
    internal void Send(ReadOnlySpan<byte> datagram, SocketAddress peer)
    {
        if (_batcher is not null && _batcher.TryEnqueue(datagram, peer))
        {
            return;
        }

        try
        {
            _socket.SendTo(datagram, SocketFlags.None, peer);
        }
        catch (SocketException)
        {
            // A full socket buffer or an unreachable peer loses the datagram, as the network might; recovery resends.
            UdpMetrics.Dropped(DropReason.SendError);
            return;
        }
        catch (ObjectDisposedException)
        {
            UdpMetrics.Dropped(DropReason.ShuttingDown);
            return;
        }

        UdpMetrics.DatagramsSent.Add(1);
        UdpMetrics.BytesSent.Add(datagram.Length);
    }

    /// <summary>Routes frames carrying <paramref name="sessionId"/> to <paramref name="session"/>; false if the ID is taken.</summary>
    internal bool TryRoute(UdpSession session, ulong sessionId)
    {
        lock (_tableLock)
        {
            return _bySessionId.TryAdd(sessionId, session);
        }
    }

    internal void Unroute(UdpSession session)
    {
        lock (_tableLock)
        {
            _sessions.Remove(session);
            if (_byHandshakeId.TryGetValue(session.HandshakeKey, out UdpSession? byHandshake) && byHandshake == session)
            {
                _byHandshakeId.Remove(session.HandshakeKey);
            }

            if (session.SessionKey != 0 && _bySessionId.TryGetValue(session.SessionKey, out UdpSession? bySession) && bySession == session)
            {
                _bySessionId.Remove(session.SessionKey);
            }
        }
    }

    internal bool TryEnqueueAccepted(UdpSession session) => _accepted.Writer.TryWrite(session);

    internal void OnHalfOpenEnded() => Interlocked.Decrement(ref _halfOpen);

    internal EndPoint ToEndPoint(SocketAddress address) => _addressTemplate.Create(address);

    internal static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private SocketAddress ToSocketAddress(EndPoint remote)
    {
        if (remote is IPEndPoint ip && _socket.AddressFamily == AddressFamily.InterNetworkV6 && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            remote = new IPEndPoint(ip.Address.MapToIPv6(), ip.Port);
        }

        if (remote.AddressFamily != _socket.AddressFamily)
        {
            throw new ArgumentException($"The endpoint's socket is {_socket.AddressFamily}; it cannot reach {remote.AddressFamily}.", nameof(remote));
        }

        return remote.Serialize();
    }
}

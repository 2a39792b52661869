using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Internal;
using Stt.Transport.Udp.Security;
using Stt.Transport.Udp.Security.Internal;

namespace Stt.Transport.Udp;

public sealed partial class UdpEndpoint
{
    /// <summary>
    /// The receive loop: one pinned buffer and one <see cref="SocketAddress"/> reused for every datagram, so a datagram
    /// costs no allocation. Where sends are batched (64-bit Linux), receives are too: the loop drains waiting datagrams
    /// with <see cref="ReceiveBatch"/>, 64 per system call, and waits with an asynchronous receive only when none is
    /// waiting. Ends when the endpoint shuts down or the socket fails for good.
    /// </summary>
    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // One byte past the budget tells an oversized datagram from one that exactly fills it.
        byte[] buffer = GC.AllocateUninitializedArray<byte>(DatagramBudget + 1, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily);
        ReceiveBatch? many = _batcher is not null ? new ReceiveBatch(_socket, DatagramBudget + 1) : null;
        int batched = 0;
        int batchedBytes = 0;
        bool backlog = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Once datagrams queue up (a receive found one waiting), take them many at a time, until a batch comes back
            // short; a lone datagram after a wait costs no extra call.
            int count = backlog ? many!.Receive() : 0;
            backlog = count == ReceiveBatch.Capacity;
            for (int i = 0; i < count; i++)
            {
                if (many!.TryGetSource(i, source))
                {
                    Span<byte> waiting = many.Datagram(i);
                    OnDatagram(waiting, source, ref batched, ref batchedBytes);
                }
                else
                {
                    UdpMetrics.Dropped(DropReason.Malformed);
                }
            }

            if (count > 0)
            {
                continue;
            }

            int received;
            try
            {
                ValueTask<int> receive = _socket.ReceiveFromAsync(buffer, SocketFlags.None, source, cancellationToken);
                backlog = many is not null && receive.IsCompleted;
                if (!receive.IsCompleted)
                {
                    // The socket ran dry: answer what the batch asked for, one ACK for all of it.
                    batched = 0;
                    batchedBytes = 0;
                    PumpDeferred();
                }

                received = await receive.ConfigureAwait(false);
            }
            catch (SocketException error) when (IsTransient(error.SocketErrorCode))
            {
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            OnDatagram(buffer.AsSpan(0, received), source, ref batched, ref batchedBytes);
        }
    }

    private void OnDatagram(Span<byte> datagram, SocketAddress source, ref int batched, ref int batchedBytes)
    {
        UdpMetrics.DatagramsReceived.Add(1);
        UdpMetrics.BytesReceived.Add(datagram.Length);
        if (datagram.Length > DatagramBudget)
        {
            UdpMetrics.Dropped(DropReason.Oversize);
            return;
        }

        if (_impairment is not null)
        {
            _impairment.Receive(datagram, source);
        }
        else
        {
            batched++;
            batchedBytes += datagram.Length;
            Deliver(datagram, source, defer: true);
            if (batched >= MaxReceiveBatch || batchedBytes >= MaxReceiveBatchBytes)
            {
                // The batch is full: answer what it asked for now, even though more datagrams are waiting.
                batched = 0;
                batchedBytes = 0;
                PumpDeferred();
            }
        }
    }

    /// <summary>Sends what the session whose datagrams the receive loop last batched owes, and wakes its waiters.</summary>
    private void PumpDeferred()
    {
        if (_deferred is { } session)
        {
            _deferred = null;
            session.Pump();
        }
    }

    /// <summary>
    /// Routes one datagram by the 8-byte ID in header bytes 2..9: the handshake ID on HANDSHAKE, RETRY and COOKIE_HELLO
    /// frames, the session ID on every other frame (docs/protocol.md, sections 3 and 15.1). Unknown IDs cost one lookup
    /// and are dropped silently, except a HELLO or COOKIE_HELLO, which the handshake guard decides on.
    /// </summary>
    /// <param name="datagram">The datagram.</param>
    /// <param name="source">Where it came from.</param>
    /// <param name="defer">Only from the receive loop: leave a stream frame's ACK and wake-ups to
    /// <see cref="PumpDeferred"/>, which runs once the socket has no datagram waiting.</param>
    internal void Deliver(Span<byte> datagram, SocketAddress source, bool defer = false)
    {
        if (datagram.Length < FrameHeader.FixedSize + 1)
        {
            UdpMetrics.Dropped(DropReason.Malformed);
            return;
        }

        byte type = datagram[0];
        bool byHandshakeId = type is (byte)FrameType.Handshake or RetryFrames.RetryType or RetryFrames.CookieHelloType;
        ulong id = BinaryPrimitives.ReadUInt64BigEndian(datagram.Slice(2, 8));
        UdpSession? session;
        lock (_tableLock)
        {
            (byHandshakeId ? _byHandshakeId : _bySessionId).TryGetValue(id, out session);
        }

        if (session is not null)
        {
            switch (type)
            {
                case RetryFrames.RetryType:
                    session.OnRetry(datagram, source);
                    break;
                case RetryFrames.CookieHelloType:
                    // A retransmitted COOKIE_HELLO: the session answers its inner HELLO like any repeated HELLO.
                    if (RetryFrames.TryUnwrapCookieHello(datagram, out _, out _, out Range inner))
                    {
                        session.OnDatagram(datagram[inner], source, datagram.Length);
                    }
                    else
                    {
                        UdpMetrics.Dropped(DropReason.Malformed);
                    }

                    break;
                default:
                    if (defer && type != (byte)FrameType.Handshake)
                    {
                        if (_deferred != session)
                        {
                            PumpDeferred();
                            _deferred = session;
                        }

                        session.OnDatagram(datagram, source, datagram.Length, pump: false);
                    }
                    else
                    {
                        session.OnDatagram(datagram, source, datagram.Length);
                    }

                    break;
            }
        }
        else if (type == RetryFrames.CookieHelloType || (type == (byte)FrameType.Handshake && (datagram[1] & (byte)FrameFlags.FromResponder) == 0))
        {
            AdmitHello(datagram, source);
        }
        else
        {
            UdpMetrics.Dropped(DropReason.UnknownSession);
        }
    }

    /// <summary>
    /// The one place a HELLO or COOKIE_HELLO from an unknown handshake is admitted: the handshake guard's checks
    /// (docs/protocol.md, section 15.3) run here, before <see cref="Session.Accept"/> spends a Diffie-Hellman on it.
    /// Nothing is ever sent for a refused datagram; a RETRY is sent and nothing is kept when the guard asks for one.
    /// </summary>
    private void AdmitHello(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            UdpMetrics.Dropped(DropReason.ShuttingDown);
            return;
        }

        Span<byte> retry = stackalloc byte[RetryFrames.RetryLength];
        HandshakeAdmission admission = _guard.Admit(source, datagram, Volatile.Read(ref _halfOpen), retry, out int retryLength, out Range helloRange);
        switch (admission)
        {
            case HandshakeAdmission.Admit:
                break;
            case HandshakeAdmission.SendRetry:
                UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.RetrySent);
                Send(retry[..retryLength], source);
                return;
            case HandshakeAdmission.DropHalfOpenFull:
                DropHalfOpenFull();
                return;
            default:
                UdpMetrics.Dropped(DropReason.For(admission));
                return;
        }

        // The guard read the count without reserving a slot; reserving it here keeps MaxHalfOpen a hard bound even when
        // the impairment stage delivers from a second thread.
        if (Interlocked.Increment(ref _halfOpen) > _guard.Options.MaxHalfOpen)
        {
            Interlocked.Decrement(ref _halfOpen);
            DropHalfOpenFull();
            return;
        }

        ReadOnlySpan<byte> hello = datagram[helloRange];
        Session? session = Session.Accept(hello, _identity, _sharedSeed, _replayCache, out HandshakeStatus status, _responderOptions, Time);
        if (session is null)
        {
            Interlocked.Decrement(ref _halfOpen);
            UdpMetrics.Dropped(DropReason.For(status));
            UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.For(status));
            return;
        }

        // Until the peer proves its address, the session may send it only three times what arrived from it (section 15.5);
        // a valid token in a COOKIE_HELLO is that proof.
        var amplification = new AmplificationBudget();
        amplification.OnReceived(datagram.Length);
        if (datagram[0] == RetryFrames.CookieHelloType)
        {
            amplification.MarkValidated();
        }

        ulong handshakeId = BinaryPrimitives.ReadUInt64BigEndian(hello.Slice(2, 8));
        var udp = new UdpSession(this, session, Copy(source), handshakeId, amplification, _responderOptions);
        lock (_tableLock)
        {
            if (!_byHandshakeId.TryAdd(handshakeId, udp))
            {
                // A delayed copy of the same HELLO raced this one in through the impairment stage.
                session.Dispose();
                Interlocked.Decrement(ref _halfOpen);
                UdpMetrics.Dropped(DropReason.Replay);
                return;
            }

            _sessions.Add(udp);
        }

        udp.Start();
    }

    private static void DropHalfOpenFull()
    {
        UdpMetrics.Dropped(DropReason.HalfOpenFull);
        UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.HalfOpenFull);
    }

    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NetworkReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable;
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Internal;

namespace Stt.Transport.Udp;

public sealed partial class UdpEndpoint
{
    /// <summary>
    /// The receive loop: one pinned buffer and one <see cref="SocketAddress"/> reused for every datagram, so a datagram
    /// costs no allocation. Ends when the endpoint shuts down or the socket fails for good.
    /// </summary>
    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // One byte past the budget tells an oversized datagram from one that exactly fills it.
        byte[] buffer = GC.AllocateUninitializedArray<byte>(DatagramBudget + 1, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, source, cancellationToken).ConfigureAwait(false);
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

            UdpMetrics.DatagramsReceived.Add(1);
            UdpMetrics.BytesReceived.Add(received);
            if (received > DatagramBudget)
            {
                UdpMetrics.Dropped(DropReason.Oversize);
                continue;
            }

            Span<byte> datagram = buffer.AsSpan(0, received);
            if (_impairment is not null)
            {
                _impairment.Receive(datagram, source);
            }
            else
            {
                Deliver(datagram, source);
            }
        }
    }

    /// <summary>
    /// Routes one datagram by the 8-byte ID in header bytes 2..9: the handshake ID on HANDSHAKE frames, the session ID
    /// on every other frame (docs/protocol.md, section 3). Unknown IDs cost one lookup and are dropped silently.
    /// </summary>
    internal void Deliver(Span<byte> datagram, SocketAddress source)
    {
        if (datagram.Length < FrameHeader.FixedSize + 1)
        {
            UdpMetrics.Dropped(DropReason.Malformed);
            return;
        }

        bool handshake = datagram[0] == (byte)FrameType.Handshake;
        ulong id = BinaryPrimitives.ReadUInt64BigEndian(datagram.Slice(2, 8));
        UdpSession? session;
        lock (_tableLock)
        {
            (handshake ? _byHandshakeId : _bySessionId).TryGetValue(id, out session);
        }

        if (session is not null)
        {
            session.OnDatagram(datagram, source);
        }
        else if (handshake && (datagram[1] & (byte)FrameFlags.FromResponder) == 0)
        {
            AdmitHello(datagram, source);
        }
        else
        {
            UdpMetrics.Dropped(DropReason.UnknownSession);
        }
    }

    /// <summary>
    /// The one place a HELLO from an unknown handshake is admitted: every check that gates responder state belongs here,
    /// before <see cref="Session.Accept"/> spends a Diffie-Hellman on it. Nothing is ever sent for a refused HELLO.
    /// </summary>
    private void AdmitHello(ReadOnlySpan<byte> hello, SocketAddress source)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            UdpMetrics.Dropped(DropReason.ShuttingDown);
            return;
        }

        if (Interlocked.Increment(ref _halfOpen) > _options.MaxHalfOpenSessions)
        {
            Interlocked.Decrement(ref _halfOpen);
            UdpMetrics.Dropped(DropReason.HalfOpenFull);
            UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.HalfOpenFull);
            return;
        }

        Session? session = Session.Accept(hello, _identity, _sharedSeed, _replayCache, out HandshakeStatus status, _responderOptions, Time);
        if (session is null)
        {
            Interlocked.Decrement(ref _halfOpen);
            UdpMetrics.Dropped(DropReason.For(status));
            UdpMetrics.Handshake(HandshakeOutcome.Responder, HandshakeOutcome.For(status));
            return;
        }

        ulong handshakeId = BinaryPrimitives.ReadUInt64BigEndian(hello.Slice(2, 8));
        var udp = new UdpSession(this, session, Copy(source), handshakeId, halfOpen: true, _responderOptions);
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

    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NetworkReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable;
}

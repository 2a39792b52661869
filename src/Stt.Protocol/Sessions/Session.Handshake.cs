using System.Buffers;
using System.Security.Cryptography;
using Stt.Protocol.Crypto;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;

namespace Stt.Protocol.Sessions;

public sealed partial class Session
{
    // AUTH_PROOF and FINAL are fixed-size; a HELLO without padding is 143 bytes (docs/protocol.md, section 6).
    private const int AuthFrameBufferLength = 256;

    private HandshakeInitiator? _initiator;
    private HandshakeResponder? _responder;
    private byte[]? _handshakeFrame;
    private int _handshakeFrameLength;
    private bool _handshakeSendPending;
    private long _handshakeStartedAt;
    private long _handshakeRetransmitAt = long.MaxValue;
    private TimeSpan _handshakeRetransmitInterval;
    private byte[]? _helloDigest;

    /// <summary>Starts a session as the initiator: the first <see cref="WriteNextFrame"/> returns the HELLO.</summary>
    /// <param name="identity">This node's identity.</param>
    /// <param name="sharedSeed">The seed shared with the peer.</param>
    /// <param name="options">Session settings; <see cref="SessionOptions.Default"/> when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">Randomness for keys and nonces; <see cref="RandomSource.System"/> when null.</param>
    public static Session Connect(
        NodeIdentity identity,
        SharedSeed sharedSeed,
        SessionOptions? options = null,
        TimeProvider? timeProvider = null,
        RandomSource? random = null)
    {
        options ??= SessionOptions.Default;
        timeProvider ??= TimeProvider.System;
        var session = new Session(SessionRole.Initiator, options, timeProvider)
        {
            _initiator = new HandshakeInitiator(identity, sharedSeed, options.Handshake, timeProvider, random),
        };
        session.LocalNodeId = identity.NodeId;
        session._handshakeFrame = new byte[Math.Max(options.HelloPaddedLength, AuthFrameBufferLength)];
        session._handshakeFrameLength = session._initiator.WriteHello(session._handshakeFrame, options.HelloPaddedLength);
        session.StartHandshakeTimers();
        return session;
    }

    /// <summary>
    /// Answers a HELLO as the responder. On success the session's first <see cref="WriteNextFrame"/> returns the
    /// RESPONSE; on any failure nothing is created and nothing is to be sent (docs/protocol.md, section 6).
    /// </summary>
    /// <param name="hello">The HELLO frame as received.</param>
    /// <param name="identity">This node's identity.</param>
    /// <param name="sharedSeed">The seed shared with the peer.</param>
    /// <param name="replayCache">The node-wide cache of recent HELLO ephemeral keys.</param>
    /// <param name="status">Why the HELLO was refused, or <see cref="HandshakeStatus.Continue"/>.</param>
    /// <param name="options">Session settings; <see cref="SessionOptions.Default"/> when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">Randomness for keys and nonces; <see cref="RandomSource.System"/> when null.</param>
    /// <returns>The new session in the <see cref="SessionState.Handshake"/> state, or null.</returns>
    public static Session? Accept(
        ReadOnlySpan<byte> hello,
        NodeIdentity identity,
        SharedSeed sharedSeed,
        HelloReplayCache replayCache,
        out HandshakeStatus status,
        SessionOptions? options = null,
        TimeProvider? timeProvider = null,
        RandomSource? random = null)
    {
        options ??= SessionOptions.Default;
        timeProvider ??= TimeProvider.System;
        int maxBody = Math.Min(options.MaxFrameBodyLength, options.Handshake.MaxHelloFrameLength);
        if (FrameScanner.TryReadFrame(hello, maxBody, out FrameHeader header, out int length) != OperationStatus.Done
            || length != hello.Length
            || header.Type != FrameType.Handshake
            || (header.Flags & FrameFlags.FromResponder) != 0)
        {
            status = HandshakeStatus.BadFrame;
            return null;
        }

        var responder = new HandshakeResponder(identity, sharedSeed, replayCache, options.Handshake, timeProvider, random);
        byte[] response = new byte[AuthFrameBufferLength];
        status = responder.ProcessHello(header, hello, response, out int written);
        if (status != HandshakeStatus.Continue)
        {
            return null;
        }

        var session = new Session(SessionRole.Responder, options, timeProvider)
        {
            _responder = responder,
            _handshakeFrame = response,
            _handshakeFrameLength = written,
            _helloDigest = SHA256.HashData(hello),
            SessionId = responder.SessionId,
        };
        session.LocalNodeId = identity.NodeId;
        session.StartHandshakeTimers();
        return session;
    }

    /// <summary>The handshake ID that HANDSHAKE frames of this attempt carry in their session-ID field.</summary>
    public ulong HandshakeId => _initiator?.HandshakeId ?? 0;

    private void StartHandshakeTimers()
    {
        long now = _time.GetTimestamp();
        _handshakeStartedAt = now;
        _handshakeSendPending = true;
        _handshakeRetransmitInterval = _options.HandshakeRetransmitInterval;
    }

    private int WriteHandshakeFrame(Span<byte> destination)
    {
        if (!_handshakeSendPending || _handshakeFrame is null || destination.Length < _handshakeFrameLength)
        {
            return 0;
        }

        _handshakeSendPending = false;
        _handshakeFrame.AsSpan(0, _handshakeFrameLength).CopyTo(destination);
        if (_initiator is not null && State == SessionState.Handshake)
        {
            // Only the initiator retransmits; the responder answers each retransmission (section 6).
            _handshakeRetransmitAt = After(_time.GetTimestamp(), _handshakeRetransmitInterval);
            _handshakeRetransmitInterval += _handshakeRetransmitInterval;
        }

        CountSent(_handshakeFrameLength);
        return _handshakeFrameLength;
    }

    private SessionReceiveStatus ReceiveHandshakeFrame(in FrameHeader header, ReadOnlySpan<byte> frame)
    {
        bool fromResponder = (header.Flags & FrameFlags.FromResponder) != 0;
        HandshakeStatus status;
        if (_initiator is not null && fromResponder && State == SessionState.Handshake)
        {
            status = header.Type == FrameType.Handshake ? ReceiveResponse(header, frame) : ReceiveFinal(header, frame);
        }
        else if (_responder is not null && !fromResponder && State != SessionState.Closed)
        {
            status = header.Type == FrameType.Handshake ? ReceiveRepeatedHello(frame) : ReceiveAuthProof(header, frame);
        }
        else
        {
            status = HandshakeStatus.Unexpected;
        }

        return status switch
        {
            HandshakeStatus.Continue or HandshakeStatus.Complete or HandshakeStatus.DuplicateAuthProof => Accept(frame.Length),
            HandshakeStatus.AuthFailed => Drop(SessionReceiveStatus.AuthFailed),
            HandshakeStatus.BadFrame => Drop(SessionReceiveStatus.Malformed),
            HandshakeStatus.Unexpected or HandshakeStatus.Replay => Drop(SessionReceiveStatus.Unexpected),
            HandshakeStatus.Timeout => TimedOut(),
            _ => Drop(SessionReceiveStatus.HandshakeRejected),
        };

        SessionReceiveStatus TimedOut()
        {
            CloseCode = ProtocolErrorCode.HandshakeTimeout;
            EnterClosed();
            return SessionReceiveStatus.Closed;
        }
    }

    private HandshakeStatus ReceiveResponse(in FrameHeader header, ReadOnlySpan<byte> frame)
    {
        Span<byte> authProof = stackalloc byte[AuthFrameBufferLength];
        HandshakeStatus status = _initiator!.ProcessResponse(header, frame, authProof, out int written);
        if (status == HandshakeStatus.Continue)
        {
            authProof[..written].CopyTo(_handshakeFrame);
            _handshakeFrameLength = written;
            _handshakeSendPending = true;
            _handshakeRetransmitInterval = _options.HandshakeRetransmitInterval;
            SessionId = _initiator.SessionId;
        }

        return status;
    }

    private HandshakeStatus ReceiveFinal(in FrameHeader header, ReadOnlySpan<byte> frame)
    {
        HandshakeStatus status = _initiator!.ProcessFinal(header, frame, out HandshakeResult? result);
        if (status == HandshakeStatus.Complete)
        {
            _initiator = null;
            _handshakeFrame = null;
            _handshakeSendPending = false;
            _handshakeRetransmitAt = long.MaxValue;
            Activate(result!);
        }

        return status;
    }

    private HandshakeStatus ReceiveRepeatedHello(ReadOnlySpan<byte> frame)
    {
        // A retransmitted HELLO (the RESPONSE was lost) is answered with the same RESPONSE; any other HELLO naming
        // this handshake is a replay or a forgery and gets nothing.
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(frame, digest);
        if (State != SessionState.Handshake || _helloDigest is null || !digest.SequenceEqual(_helloDigest))
        {
            return HandshakeStatus.Replay;
        }

        _handshakeSendPending = true;
        return HandshakeStatus.Continue;
    }

    private HandshakeStatus ReceiveAuthProof(in FrameHeader header, ReadOnlySpan<byte> frame)
    {
        Span<byte> final = stackalloc byte[AuthFrameBufferLength];
        HandshakeStatus status = _responder!.ProcessAuthProof(header, frame, final, out int written, out HandshakeResult? result);
        if (status is HandshakeStatus.Complete or HandshakeStatus.DuplicateAuthProof)
        {
            final[..written].CopyTo(_handshakeFrame);
            _handshakeFrameLength = written;
            _handshakeSendPending = true;
            _helloDigest = null;
            if (status == HandshakeStatus.Complete)
            {
                Activate(result!);
            }
        }

        return status;
    }

    private void OnHandshakeTimer(long now)
    {
        if (now >= After(_handshakeStartedAt, _options.Handshake.HandshakeTimeout))
        {
            CloseCode = ProtocolErrorCode.HandshakeTimeout;
            EnterClosed();
            return;
        }

        if (now >= _handshakeRetransmitAt)
        {
            _handshakeRetransmitAt = long.MaxValue;
            _handshakeSendPending = true;
        }
    }

    private long GetHandshakeDeadline() =>
        Math.Min(After(_handshakeStartedAt, _options.Handshake.HandshakeTimeout), _handshakeRetransmitAt);
}

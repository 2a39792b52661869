using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Stt.Protocol.Crypto;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;
using Stt.Protocol.Noise;

namespace Stt.Protocol.Handshake;

/// <summary>
/// The initiator's side of one STT handshake (docs/protocol.md, section 6): writes HELLO, answers RESPONSE with
/// AUTH_PROOF, and completes on FINAL.
/// </summary>
/// <remarks>
/// <para>Sans-I/O: the caller sends the bytes this writes and feeds in the frames it receives, already parsed into a
/// <see cref="FrameHeader"/>. A failed call writes nothing and leaves the handshake as it was, so a forged or corrupted
/// RESPONSE or FINAL cannot kill a pending handshake; the genuine message still completes it.</para>
/// <para>Not thread-safe: one caller at a time. Retransmit by resending the bytes already written.</para>
/// </remarks>
public sealed class HandshakeInitiator
{
    private readonly NodeIdentity _identity;
    private readonly SharedSeed _sharedSeed;
    private readonly HandshakeOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RandomSource _random;
    private HandshakeState _noise;
    private CipherState _authProofCipher;
    private CipherState _finalCipher;
    private Bytes32 _initiatorNonce;
    private Bytes32 _handshakeHash;
    private Bytes32 _chainingKey;
    private State _state;
    private long _startedAt;
    private ulong _handshakeId;
    private ulong _sessionId;
    private NodeId _peerNodeId;

    /// <summary>Creates an initiator; no cryptography happens until <see cref="WriteHello"/>.</summary>
    /// <param name="identity">This node's identity; it signs AUTH_PROOF.</param>
    /// <param name="sharedSeed">The shared seed both nodes hold.</param>
    /// <param name="options">Limits and timers; defaults to <see cref="HandshakeOptions.Default"/>.</param>
    /// <param name="timeProvider">Clock for the HELLO timestamp and the handshake timeout; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="random">Source of the handshake ID, nonce and ephemeral key; defaults to <see cref="RandomSource.System"/>.</param>
    public HandshakeInitiator(
        NodeIdentity identity,
        SharedSeed sharedSeed,
        HandshakeOptions? options = null,
        TimeProvider? timeProvider = null,
        RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(sharedSeed);
        _identity = identity;
        _sharedSeed = sharedSeed;
        _options = options ?? HandshakeOptions.Default;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _random = random ?? RandomSource.System;
    }

    private enum State
    {
        New,
        AwaitingResponse,
        AwaitingFinal,
        Complete,
        TimedOut,
    }

    /// <summary>The handshake ID chosen for HELLO (0 before <see cref="WriteHello"/>).</summary>
    public ulong HandshakeId => _handshakeId;

    /// <summary>The session ID, known once a RESPONSE was accepted (section 6); 0 before.</summary>
    public ulong SessionId => _sessionId;

    /// <summary>Whether the handshake is complete.</summary>
    public bool IsComplete => _state == State.Complete;

    /// <summary>
    /// Whether <see cref="HandshakeOptions.HandshakeTimeout"/> has passed since HELLO without FINAL. An expired
    /// handshake answers every further frame with <see cref="HandshakeStatus.Timeout"/>; drop it.
    /// </summary>
    public bool IsExpired =>
        _state == State.TimedOut
        || (_state is State.AwaitingResponse or State.AwaitingFinal
            && _timeProvider.GetElapsedTime(_startedAt) >= _options.HandshakeTimeout);

    /// <summary>
    /// Writes the HELLO frame: a random handshake ID, Noise message 1 with this node's ID, a random 32-byte nonce,
    /// the current time in Unix milliseconds, and zero padding up to <paramref name="paddedFrameLength"/>.
    /// </summary>
    /// <param name="destination">Receives the frame.</param>
    /// <param name="paddedFrameLength">Total frame length to pad to (for example the UDP datagram budget); 0 or
    /// anything below 143 means no padding.</param>
    /// <returns>The frame length: at least 143 bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="paddedFrameLength"/> is negative or above
    /// <see cref="HandshakeOptions.MaxHelloFrameLength"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">HELLO was already written.</exception>
    public int WriteHello(Span<byte> destination, int paddedFrameLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(paddedFrameLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(paddedFrameLength, _options.MaxHelloFrameLength);
        int frameLength = Math.Max(paddedFrameLength, HandshakeFrames.MinHelloFrameLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, frameLength, nameof(destination));
        if (_state != State.New)
        {
            throw new InvalidOperationException("HELLO was already written; resend the same bytes to retransmit it.");
        }

        Span<byte> handshakeId = stackalloc byte[sizeof(ulong)];
        _random.Fill(handshakeId);
        _handshakeId = BinaryPrimitives.ReadUInt64BigEndian(handshakeId);
        _random.Fill(_initiatorNonce);

        int bodyLength = frameLength - HandshakeFrames.HeaderSize;
        int payloadLength = bodyLength - X25519.KeySize - NoiseCipherFunction.TagSize;
        byte[]? rented = null;
        Span<byte> payload = payloadLength <= 256
            ? stackalloc byte[payloadLength]
            : (rented = ArrayPool<byte>.Shared.Rent(payloadLength)).AsSpan(0, payloadLength);
        try
        {
            _identity.NodeId.CopyTo(payload);
            ((ReadOnlySpan<byte>)_initiatorNonce).CopyTo(payload[NodeId.Size..]);
            long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            BinaryPrimitives.WriteUInt64BigEndian(payload[(NodeId.Size + HandshakeFrames.NonceSize)..], (ulong)now);
            payload[HandshakeFrames.HelloPayloadMinLength..].Clear();

            Span<byte> prologue = stackalloc byte[HandshakeFrames.PrologueLength];
            HandshakeFrames.WritePrologue(prologue, _handshakeId);
            _noise = new HandshakeState(NoiseProtocol.SttV1, isInitiator: true, prologue, _sharedSeed.Psk);

            // Message 1 has no DH, so it cannot fail.
            bool wrote = _noise.TryWriteMessage(payload, destination[HandshakeFrames.HeaderSize..], _random, out int written);
            Debug.Assert(wrote);
            var header = new FrameHeader(FrameType.Handshake, FrameFlags.None, _handshakeId, 0, written, 0);
            FrameWriter.WriteHeader(destination, header);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        _startedAt = _timeProvider.GetTimestamp();
        _state = State.AwaitingResponse;
        return frameLength;
    }

    /// <summary>
    /// Processes RESPONSE (Noise message 2) and, on success, writes AUTH_PROOF (135 bytes) to
    /// <paramref name="authProofDestination"/>.
    /// </summary>
    /// <param name="header">The frame's parsed header.</param>
    /// <param name="frame">The whole frame: header bytes and body.</param>
    /// <param name="authProofDestination">Receives AUTH_PROOF; at least 135 bytes.</param>
    /// <param name="written">135 on success, else 0.</param>
    /// <returns><see cref="HandshakeStatus.Continue"/>, or the reason the frame was dropped.</returns>
    /// <exception cref="ArgumentException"><paramref name="authProofDestination"/> is shorter than 135 bytes.</exception>
    public HandshakeStatus ProcessResponse(in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> authProofDestination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(authProofDestination.Length, HandshakeFrames.AuthFrameLength, nameof(authProofDestination));
        written = 0;
        HandshakeStatus status = CheckState(State.AwaitingResponse);
        if (status != HandshakeStatus.Continue)
        {
            return status;
        }

        if (!HandshakeFrames.IsValidHeader(
                header, frame, FrameType.Handshake, FrameFlags.FromResponder, HandshakeFrames.ResponseBodyLength, HandshakeFrames.ResponseBodyLength)
            || header.SessionId != _handshakeId)
        {
            return HandshakeStatus.BadFrame;
        }

        Span<byte> payload = stackalloc byte[HandshakeFrames.ResponsePayloadLength];
        if (!_noise.TryReadMessage(frame[HandshakeFrames.HeaderSize..], payload, out _))
        {
            return HandshakeStatus.AuthFailed;
        }

        _peerNodeId = new NodeId(payload[..NodeId.Size]);
        _sessionId = HandshakeFrames.ComputeSessionId(_initiatorNonce, payload[NodeId.Size..], _identity.NodeId, _peerNodeId);
        _noise.CopyHandshakeHash(_handshakeHash);
        _noise.CopyChainingKey(_chainingKey);
        _noise.Split(out _authProofCipher, out _finalCipher);

        // Only ck and h are needed from here on: the ephemeral private key goes now, not when FINAL arrives.
        _noise.Clear();
        AuthMessage.Write(
            authProofDestination, _sessionId, FrameFlags.None, _authProofCipher, _identity, HandshakeFrames.AuthProofLabel, _handshakeHash);
        _authProofCipher.Clear();
        written = HandshakeFrames.AuthFrameLength;
        _state = State.AwaitingFinal;
        return HandshakeStatus.Continue;
    }

    /// <summary>Processes FINAL; on success the handshake is complete and <paramref name="result"/> holds the session secrets.</summary>
    /// <param name="header">The frame's parsed header.</param>
    /// <param name="frame">The whole frame: header bytes and body.</param>
    /// <param name="result">The session's ID, node IDs and secrets on <see cref="HandshakeStatus.Complete"/>, else null.
    /// The caller owns it and disposes it.</param>
    /// <returns><see cref="HandshakeStatus.Complete"/>, or the reason the frame was dropped.</returns>
    public HandshakeStatus ProcessFinal(in FrameHeader header, ReadOnlySpan<byte> frame, out HandshakeResult? result)
    {
        result = null;
        HandshakeStatus status = CheckState(State.AwaitingFinal);
        if (status != HandshakeStatus.Continue)
        {
            return status;
        }

        if (!HandshakeFrames.IsValidHeader(
                header, frame, FrameType.Auth, FrameFlags.FromResponder, HandshakeFrames.AuthBodyLength, HandshakeFrames.AuthBodyLength)
            || header.SessionId != _sessionId)
        {
            return HandshakeStatus.BadFrame;
        }

        status = AuthMessage.Open(frame, _finalCipher, _peerNodeId, HandshakeFrames.FinalLabel, _handshakeHash);
        if (status != HandshakeStatus.Complete)
        {
            return status;
        }

        result = new HandshakeResult(SessionRole.Initiator, _sessionId, _identity.NodeId, _peerNodeId, _chainingKey, _handshakeHash);
        Forget();
        _state = State.Complete;
        return HandshakeStatus.Complete;
    }

    private HandshakeStatus CheckState(State expected)
    {
        if (_state == State.TimedOut)
        {
            return HandshakeStatus.Timeout;
        }

        if (_state != expected)
        {
            return HandshakeStatus.Unexpected;
        }

        if (IsExpired)
        {
            Forget();
            _state = State.TimedOut;
            return HandshakeStatus.Timeout;
        }

        return HandshakeStatus.Continue;
    }

    private void Forget()
    {
        _noise.Clear();
        _authProofCipher.Clear();
        _finalCipher.Clear();
        CryptographicOperations.ZeroMemory(_handshakeHash);
        CryptographicOperations.ZeroMemory(_chainingKey);
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Stt.Protocol.Crypto;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;
using Stt.Protocol.Noise;

namespace Stt.Protocol.Handshake;

/// <summary>
/// The responder's side of one STT handshake (docs/protocol.md, section 6): answers one HELLO with RESPONSE and
/// completes on AUTH_PROOF, answering with FINAL.
/// </summary>
/// <remarks>
/// <para>Create one per incoming HELLO; construction does no work. <see cref="ProcessHello"/> verifies the HELLO's AEAD
/// tag before any Diffie-Hellman or key generation, so a HELLO without the shared seed costs a few hashes and one AEAD
/// open, and is dropped without a reply.</para>
/// <para>A failed call writes nothing and leaves the handshake as it was. Not thread-safe: one caller at a time (the
/// shared <see cref="HelloReplayCache"/> is thread-safe).</para>
/// </remarks>
public sealed class HandshakeResponder
{
    private readonly NodeIdentity _identity;
    private readonly SharedSeed _sharedSeed;
    private readonly HelloReplayCache _replayCache;
    private readonly HandshakeOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RandomSource _random;
    private CipherState _authProofCipher;
    private CipherState _finalCipher;
    private Bytes32 _handshakeHash;
    private Bytes32 _chainingKey;
    private State _state;
    private long _startedAt;
    private ulong _sessionId;
    private NodeId _peerNodeId;
    private byte[]? _acceptedAuthProof;
    private byte[]? _final;

    /// <summary>Creates a responder for one HELLO.</summary>
    /// <param name="identity">This node's identity; it signs FINAL.</param>
    /// <param name="sharedSeed">The shared seed both nodes hold.</param>
    /// <param name="replayCache">The node's replay cache, shared by all its responders.</param>
    /// <param name="options">Limits and timers; defaults to <see cref="HandshakeOptions.Default"/>.</param>
    /// <param name="timeProvider">Clock for freshness and the handshake timeout; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="random">Source of the nonce and ephemeral key; defaults to <see cref="RandomSource.System"/>.</param>
    public HandshakeResponder(
        NodeIdentity identity,
        SharedSeed sharedSeed,
        HelloReplayCache replayCache,
        HandshakeOptions? options = null,
        TimeProvider? timeProvider = null,
        RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(sharedSeed);
        ArgumentNullException.ThrowIfNull(replayCache);
        _identity = identity;
        _sharedSeed = sharedSeed;
        _replayCache = replayCache;
        _options = options ?? HandshakeOptions.Default;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _random = random ?? RandomSource.System;
    }

    private enum State
    {
        New,
        AwaitingAuthProof,
        Complete,
        TimedOut,
    }

    /// <summary>The session ID, once RESPONSE was written (0 before).</summary>
    public ulong SessionId => _sessionId;

    /// <summary>Whether the handshake is complete.</summary>
    public bool IsComplete => _state == State.Complete;

    /// <summary>
    /// Whether <see cref="HandshakeOptions.HandshakeTimeout"/> has passed since RESPONSE without a valid AUTH_PROOF.
    /// An expired handshake answers every further frame with <see cref="HandshakeStatus.Timeout"/>; drop it.
    /// </summary>
    public bool IsExpired =>
        _state == State.TimedOut
        || (_state == State.AwaitingAuthProof && _timeProvider.GetElapsedTime(_startedAt) >= _options.HandshakeTimeout);

    /// <summary>
    /// Processes HELLO (Noise message 1) and, when it passes every check, writes RESPONSE (135 bytes).
    /// </summary>
    /// <remarks>
    /// Checks, in order: header rules and <see cref="HandshakeOptions.MaxHelloFrameLength"/> (BadFrame); the AEAD tag
    /// (AuthFailed); zero padding (BadPayload); timestamp within <see cref="HandshakeOptions.FreshnessWindow"/> (Stale);
    /// the replay cache (Replay, ReplayCacheFull). Only then does it generate its ephemeral key.
    /// </remarks>
    /// <param name="header">The frame's parsed header.</param>
    /// <param name="frame">The whole frame: header bytes and body.</param>
    /// <param name="responseDestination">Receives RESPONSE; at least 135 bytes.</param>
    /// <param name="written">135 on success, else 0.</param>
    /// <returns><see cref="HandshakeStatus.Continue"/>, or the reason the HELLO was dropped.</returns>
    /// <exception cref="ArgumentException"><paramref name="responseDestination"/> is shorter than 135 bytes.</exception>
    public HandshakeStatus ProcessHello(in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> responseDestination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(responseDestination.Length, HandshakeFrames.ResponseFrameLength, nameof(responseDestination));
        written = 0;
        if (_state != State.New)
        {
            return HandshakeStatus.Unexpected;
        }

        if (!HandshakeFrames.IsValidHeader(
                header,
                frame,
                FrameType.Handshake,
                FrameFlags.None,
                HandshakeFrames.HelloBodyMinLength,
                _options.MaxHelloFrameLength - HandshakeFrames.HeaderSize))
        {
            return HandshakeStatus.BadFrame;
        }

        ReadOnlySpan<byte> body = frame[HandshakeFrames.HeaderSize..];
        int payloadLength = body.Length - X25519.KeySize - NoiseCipherFunction.TagSize;
        byte[]? rented = null;
        Span<byte> payload = payloadLength <= 256
            ? stackalloc byte[payloadLength]
            : (rented = ArrayPool<byte>.Shared.Rent(payloadLength)).AsSpan(0, payloadLength);
        Span<byte> prologue = stackalloc byte[HandshakeFrames.PrologueLength];
        HandshakeFrames.WritePrologue(prologue, header.SessionId);
        var noise = new HandshakeState(NoiseProtocol.SttV1, isInitiator: false, prologue, _sharedSeed.Psk);
        try
        {
            HandshakeStatus status = ReadHello(ref noise, body, payload);
            if (status != HandshakeStatus.Continue)
            {
                return status;
            }

            Span<byte> response = stackalloc byte[HandshakeFrames.ResponseFrameLength];
            Span<byte> responsePayload = stackalloc byte[HandshakeFrames.ResponsePayloadLength];
            _identity.NodeId.CopyTo(responsePayload);
            Span<byte> responderNonce = responsePayload[NodeId.Size..];
            _random.Fill(responderNonce);
            if (!noise.TryWriteMessage(responsePayload, response[HandshakeFrames.HeaderSize..], _random, out int bodyLength))
            {
                // The initiator's ephemeral key has low order: only a holder of the shared seed can get here.
                return HandshakeStatus.BadPayload;
            }

            FrameWriter.WriteHeader(
                response, new FrameHeader(FrameType.Handshake, FrameFlags.FromResponder, header.SessionId, 0, bodyLength, 0));

            _peerNodeId = new NodeId(payload[..NodeId.Size]);
            _sessionId = HandshakeFrames.ComputeSessionId(
                payload.Slice(NodeId.Size, HandshakeFrames.NonceSize), responderNonce, _peerNodeId, _identity.NodeId);
            noise.CopyHandshakeHash(_handshakeHash);
            noise.CopyChainingKey(_chainingKey);
            noise.Split(out _authProofCipher, out _finalCipher);
            response.CopyTo(responseDestination);
            written = HandshakeFrames.ResponseFrameLength;
            _startedAt = _timeProvider.GetTimestamp();
            _state = State.AwaitingAuthProof;
            return HandshakeStatus.Continue;
        }
        finally
        {
            noise.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Processes AUTH_PROOF; on success the handshake is complete, FINAL (135 bytes) is written and
    /// <paramref name="result"/> holds the session secrets.
    /// </summary>
    /// <remarks>
    /// After completion, a byte-identical AUTH_PROOF (a retransmission) gets the same FINAL again with
    /// <see cref="HandshakeStatus.DuplicateAuthProof"/>; any other frame is <see cref="HandshakeStatus.Unexpected"/>.
    /// </remarks>
    /// <param name="header">The frame's parsed header.</param>
    /// <param name="frame">The whole frame: header bytes and body.</param>
    /// <param name="finalDestination">Receives FINAL; at least 135 bytes.</param>
    /// <param name="written">135 on success or duplicate, else 0.</param>
    /// <param name="result">The session's ID, node IDs and secrets on <see cref="HandshakeStatus.Complete"/>, else null.
    /// The caller owns it and disposes it.</param>
    /// <returns><see cref="HandshakeStatus.Complete"/>, <see cref="HandshakeStatus.DuplicateAuthProof"/>, or the reason
    /// the frame was dropped.</returns>
    /// <exception cref="ArgumentException"><paramref name="finalDestination"/> is shorter than 135 bytes.</exception>
    public HandshakeStatus ProcessAuthProof(
        in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> finalDestination, out int written, out HandshakeResult? result)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(finalDestination.Length, HandshakeFrames.AuthFrameLength, nameof(finalDestination));
        written = 0;
        result = null;
        switch (_state)
        {
            case State.Complete:
                if (!frame.SequenceEqual(_acceptedAuthProof))
                {
                    return HandshakeStatus.Unexpected;
                }

                _final.CopyTo(finalDestination);
                written = HandshakeFrames.AuthFrameLength;
                return HandshakeStatus.DuplicateAuthProof;
            case State.TimedOut:
                return HandshakeStatus.Timeout;
            case State.New:
                return HandshakeStatus.Unexpected;
        }

        if (IsExpired)
        {
            Forget();
            _state = State.TimedOut;
            return HandshakeStatus.Timeout;
        }

        if (!HandshakeFrames.IsValidHeader(
                header, frame, FrameType.Auth, FrameFlags.None, HandshakeFrames.AuthBodyLength, HandshakeFrames.AuthBodyLength)
            || header.SessionId != _sessionId)
        {
            return HandshakeStatus.BadFrame;
        }

        HandshakeStatus status = AuthMessage.Open(frame, _authProofCipher, _peerNodeId, HandshakeFrames.AuthProofLabel, _handshakeHash);
        if (status != HandshakeStatus.Complete)
        {
            return status;
        }

        var final = new byte[HandshakeFrames.AuthFrameLength];
        AuthMessage.Write(final, _sessionId, FrameFlags.FromResponder, _finalCipher, _identity, HandshakeFrames.FinalLabel, _handshakeHash);
        result = new HandshakeResult(SessionRole.Responder, _sessionId, _identity.NodeId, _peerNodeId, _chainingKey, _handshakeHash);
        Forget();
        _acceptedAuthProof = frame.ToArray();
        _final = final;
        final.CopyTo(finalDestination);
        written = HandshakeFrames.AuthFrameLength;
        _state = State.Complete;
        return HandshakeStatus.Complete;
    }

    private HandshakeStatus ReadHello(ref HandshakeState noise, ReadOnlySpan<byte> body, Span<byte> payload)
    {
        // Step 2: MixHash(prologue), MixKeyAndHash(psk), e, MixKey(e), DecryptAndHash: hashes and one AEAD open, no DH.
        if (!noise.TryReadMessage(body, payload, out _))
        {
            return HandshakeStatus.AuthFailed;
        }

        if (payload[HandshakeFrames.HelloPayloadMinLength..].ContainsAnyExcept((byte)0))
        {
            return HandshakeStatus.BadPayload;
        }

        ulong timestamp = BinaryPrimitives.ReadUInt64BigEndian(payload[(NodeId.Size + HandshakeFrames.NonceSize)..]);
        long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        long window = (long)_options.FreshnessWindow.TotalMilliseconds;
        if (Int128.Abs((Int128)now - timestamp) > window)
        {
            return HandshakeStatus.Stale;
        }

        return _replayCache.TryAdd(body[..X25519.KeySize]);
    }

    private void Forget()
    {
        _authProofCipher.Clear();
        _finalCipher.Clear();
        CryptographicOperations.ZeroMemory(_handshakeHash);
        CryptographicOperations.ZeroMemory(_chainingKey);
    }
}

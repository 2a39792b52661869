using System.Buffers.Binary;
using Stt.Protocol.Crypto;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;
using Stt.Protocol.Noise;
using Xunit;

namespace Stt.Protocol.Tests.Handshake;

/// <summary>
/// A hand-driven peer built on the internal Noise layer, for messages the real state machines never produce: a
/// claimed node ID that differs from the signing key, a wrong signature label, non-zero HELLO padding.
/// </summary>
internal sealed class ManualPeer
{
    private HandshakeState _noise;
    private CipherState _initiatorToResponder;
    private CipherState _responderToInitiator;
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _nonce = new byte[32];
    private NodeId _claimedNodeId;
    private NodeId _peerNodeId;
    private byte[] _peerNonce = [];

    public ulong SessionId { get; private set; }

    /// <summary>Builds a HELLO as an initiator claiming <paramref name="claimedNodeId"/>, with custom padding bytes.</summary>
    public byte[] WriteHello(SharedSeed seed, NodeId claimedNodeId, long timestampMs, ReadOnlySpan<byte> padding, ulong handshakeId = 0x0102030405060708)
    {
        _claimedNodeId = claimedNodeId;
        RandomSource.System.Fill(_nonce);
        var payload = new byte[72 + padding.Length];
        claimedNodeId.CopyTo(payload);
        _nonce.CopyTo(payload, 32);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(64), (ulong)timestampMs);
        padding.CopyTo(payload.AsSpan(72));
        _noise = new HandshakeState(NoiseProtocol.SttV1, isInitiator: true, Prologue(handshakeId), seed.Psk);
        var frame = new byte[23 + 32 + payload.Length + 16];
        Assert.True(_noise.TryWriteMessage(payload, frame.AsSpan(23), RandomSource.System, out int body));
        FrameWriter.WriteHeader(frame, new FrameHeader(FrameType.Handshake, FrameFlags.None, handshakeId, 0, body, 0));
        return frame;
    }

    /// <summary>Reads a genuine RESPONSE (as the initiator) and returns an AUTH_PROOF signed by <paramref name="signer"/> with <paramref name="label"/>.</summary>
    public byte[] ReadResponseAndWriteAuthProof(byte[] response, NodeIdentity signer, ReadOnlySpan<byte> label)
    {
        var payload = new byte[64];
        Assert.True(_noise.TryReadMessage(response.AsSpan(23), payload, out _));
        _peerNodeId = new NodeId(payload.AsSpan(0, 32));
        SessionId = HandshakeFrames.ComputeSessionId(_nonce, payload.AsSpan(32), _claimedNodeId, _peerNodeId);
        return FinishAndWrite(FrameFlags.None, useInitiatorToResponder: true, signer, label);
    }

    /// <summary>Reads a genuine HELLO (as the responder) and returns a RESPONSE claiming <paramref name="claimedNodeId"/>.</summary>
    public byte[] ReadHelloAndWriteResponse(byte[] hello, SharedSeed seed, NodeId claimedNodeId)
    {
        _claimedNodeId = claimedNodeId;
        ulong handshakeId = BinaryPrimitives.ReadUInt64BigEndian(hello.AsSpan(2));
        _noise = new HandshakeState(NoiseProtocol.SttV1, isInitiator: false, Prologue(handshakeId), seed.Psk);
        var helloPayload = new byte[hello.Length - 23 - 48];
        Assert.True(_noise.TryReadMessage(hello.AsSpan(23), helloPayload, out _));
        _peerNodeId = new NodeId(helloPayload.AsSpan(0, 32));
        _peerNonce = helloPayload.AsSpan(32, 32).ToArray();
        RandomSource.System.Fill(_nonce);
        var payload = new byte[64];
        claimedNodeId.CopyTo(payload);
        _nonce.CopyTo(payload, 32);
        var frame = new byte[135];
        Assert.True(_noise.TryWriteMessage(payload, frame.AsSpan(23), RandomSource.System, out int body));
        FrameWriter.WriteHeader(frame, new FrameHeader(FrameType.Handshake, FrameFlags.FromResponder, handshakeId, 0, body, 0));
        SessionId = HandshakeFrames.ComputeSessionId(_peerNonce, _nonce, _peerNodeId, _claimedNodeId);
        return frame;
    }

    /// <summary>Returns a FINAL signed by <paramref name="signer"/> with <paramref name="label"/>.</summary>
    public byte[] WriteFinal(NodeIdentity signer, ReadOnlySpan<byte> label) =>
        FinishAndWrite(FrameFlags.FromResponder, useInitiatorToResponder: false, signer, label);

    private byte[] FinishAndWrite(FrameFlags flags, bool useInitiatorToResponder, NodeIdentity signer, ReadOnlySpan<byte> label)
    {
        _noise.CopyHandshakeHash(_hash);
        _noise.Split(out _initiatorToResponder, out _responderToInitiator);
        var frame = new byte[135];
        AuthMessage.Write(
            frame,
            SessionId,
            flags,
            useInitiatorToResponder ? _initiatorToResponder : _responderToInitiator,
            signer,
            label,
            _hash);
        return frame;
    }

    private static byte[] Prologue(ulong handshakeId)
    {
        var prologue = new byte[14];
        HandshakeFrames.WritePrologue(prologue, handshakeId);
        return prologue;
    }
}

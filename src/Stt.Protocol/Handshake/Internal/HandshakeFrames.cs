using System.Buffers.Binary;
using Stt.Protocol.Encoding;
using Stt.Protocol.Identity;
using Stt.Protocol.Noise;

namespace Stt.Protocol.Handshake.Internal;

/// <summary>
/// Layouts, sizes and labels of the four handshake frames (docs/protocol.md, section 6), and the header checks they share.
/// </summary>
/// <remarks>
/// <code>
/// HELLO       HANDSHAKE 0x01, flags 0           body = e.pub (32) ‖ AEAD(node ID i (32) ‖ nonce i (32) ‖ timestamp u64 (8) ‖ zero padding) ‖ tag (16)
/// RESPONSE    HANDSHAKE 0x01, FROM_RESPONDER    body = e.pub (32) ‖ AEAD(node ID r (32) ‖ nonce r (32)) ‖ tag (16)           = 112
/// AUTH_PROOF  AUTH 0x05, flags 0                body = AEAD_k1(ad = header; Ed25519 public key (32) ‖ signature (64)) ‖ tag (16) = 112
/// FINAL       AUTH 0x05, FROM_RESPONDER         body = AEAD_k2(ad = header; Ed25519 public key (32) ‖ signature (64)) ‖ tag (16) = 112
/// </code>
/// Every handshake frame has sequence 0 and stream 0, so its header is 23 bytes. The session ID field is the handshake
/// ID on HANDSHAKE frames and the session ID on AUTH frames.
/// </remarks>
internal static class HandshakeFrames
{
    /// <summary>Header size with stream ID 0 (a 1-byte varint).</summary>
    public const int HeaderSize = FrameHeader.FixedSize + 1;

    public const int NonceSize = 32;
    public const int TimestampSize = 8;
    public const int HelloPayloadMinLength = NodeId.Size + NonceSize + TimestampSize;
    public const int HelloBodyMinLength = X25519.KeySize + HelloPayloadMinLength + NoiseCipherFunction.TagSize;
    public const int MinHelloFrameLength = HeaderSize + HelloBodyMinLength;
    public const int MaxHelloFrameLengthLimit = HeaderSize + HandshakeState.MaxMessageLength;
    public const int ResponsePayloadLength = NodeId.Size + NonceSize;
    public const int ResponseBodyLength = X25519.KeySize + ResponsePayloadLength + NoiseCipherFunction.TagSize;
    public const int ResponseFrameLength = HeaderSize + ResponseBodyLength;
    public const int AuthPlaintextLength = NodeIdentity.PublicKeyLength + NodeIdentity.SignatureLength;
    public const int AuthBodyLength = AuthPlaintextLength + NoiseCipherFunction.TagSize;
    public const int AuthFrameLength = HeaderSize + AuthBodyLength;
    public const int PrologueLength = 14;
    public const int HashLength = 32;

    /// <summary>Domain label of the initiator's signature.</summary>
    public static ReadOnlySpan<byte> AuthProofLabel => "STT/1 auth-proof"u8;

    /// <summary>Domain label of the responder's signature.</summary>
    public static ReadOnlySpan<byte> FinalLabel => "STT/1 final"u8;

    /// <summary>Writes the prologue: ASCII "STT/1" ‖ 0x00 ‖ handshake ID (8 bytes, as in the header).</summary>
    public static void WritePrologue(Span<byte> destination, ulong handshakeId)
    {
        "STT/1\0"u8.CopyTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[6..], handshakeId);
    }

    /// <summary>
    /// Whether <paramref name="header"/> is a handshake-frame header of <paramref name="type"/> with exactly
    /// <paramref name="flags"/>, sequence 0, stream 0, a body length in range, and whether <paramref name="frame"/> is
    /// exactly that header's encoding followed by the body.
    /// </summary>
    public static bool IsValidHeader(
        in FrameHeader header, ReadOnlySpan<byte> frame, FrameType type, FrameFlags flags, int minBodyLength, int maxBodyLength)
    {
        if (header.Type != type || header.Flags != flags || header.Sequence != 0 || header.StreamId != 0
            || header.BodyLength < minBodyLength || header.BodyLength > maxBodyLength
            || frame.Length != HeaderSize + header.BodyLength)
        {
            return false;
        }

        // The caller parsed the header from these bytes; re-encoding it guards against a header and frame that disagree.
        Span<byte> encoded = stackalloc byte[HeaderSize];
        FrameWriter.WriteHeader(encoded, header);
        return frame[..HeaderSize].SequenceEqual(encoded);
    }

    /// <summary>The session ID: the first 8 bytes of nonce i XOR nonce r XOR node ID i XOR node ID r, read big-endian.</summary>
    public static ulong ComputeSessionId(ReadOnlySpan<byte> initiatorNonce, ReadOnlySpan<byte> responderNonce, NodeId initiator, NodeId responder) =>
        BinaryPrimitives.ReadUInt64BigEndian(initiatorNonce)
        ^ BinaryPrimitives.ReadUInt64BigEndian(responderNonce)
        ^ initiator.FirstWord
        ^ responder.FirstWord;
}

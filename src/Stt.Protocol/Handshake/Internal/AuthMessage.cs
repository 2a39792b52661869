using Stt.Protocol.Encoding;
using Stt.Protocol.Identity;
using Stt.Protocol.Noise;

namespace Stt.Protocol.Handshake.Internal;

/// <summary>
/// AUTH_PROOF and FINAL (docs/protocol.md, section 6): the sender's Ed25519 public key and its signature over
/// label ‖ h, sealed with the Split() key of its direction at nonce 0, the frame header as associated data.
/// </summary>
internal static class AuthMessage
{
    private const int MaxSignedLength = 16 + HandshakeFrames.HashLength;

    /// <summary>Writes the whole frame (<see cref="HandshakeFrames.AuthFrameLength"/> bytes) to <paramref name="destination"/>.</summary>
    public static void Write(
        Span<byte> destination,
        ulong sessionId,
        FrameFlags flags,
        in CipherState cipher,
        NodeIdentity identity,
        ReadOnlySpan<byte> label,
        ReadOnlySpan<byte> handshakeHash)
    {
        var header = new FrameHeader(FrameType.Auth, flags, sessionId, 0, HandshakeFrames.AuthBodyLength, 0);
        FrameWriter.WriteHeader(destination, header);
        Span<byte> plaintext = stackalloc byte[HandshakeFrames.AuthPlaintextLength];
        identity.PublicKey.CopyTo(plaintext);
        Span<byte> signed = stackalloc byte[MaxSignedLength];
        signed = Concatenate(signed, label, handshakeHash);
        identity.Sign(signed, plaintext[NodeIdentity.PublicKeyLength..]);

        // A copy: the key is used at nonce 0 for this one message, and a repeat must produce the same bytes.
        CipherState sealer = cipher;
        sealer.EncryptWithAd(
            destination[..HandshakeFrames.HeaderSize],
            plaintext,
            destination.Slice(HandshakeFrames.HeaderSize, HandshakeFrames.AuthBodyLength));
        sealer.Clear();
    }

    /// <summary>Opens and checks an AUTH frame whose header was already validated.</summary>
    /// <returns><see cref="HandshakeStatus.Complete"/>, or AuthFailed, NodeIdMismatch or BadSignature.</returns>
    public static HandshakeStatus Open(
        ReadOnlySpan<byte> frame, in CipherState cipher, NodeId expectedPeer, ReadOnlySpan<byte> label, ReadOnlySpan<byte> handshakeHash)
    {
        Span<byte> plaintext = stackalloc byte[HandshakeFrames.AuthPlaintextLength];
        CipherState opener = cipher;
        bool opened = opener.DecryptWithAd(frame[..HandshakeFrames.HeaderSize], frame[HandshakeFrames.HeaderSize..], plaintext, out _);
        opener.Clear();
        if (!opened)
        {
            return HandshakeStatus.AuthFailed;
        }

        ReadOnlySpan<byte> publicKey = plaintext[..NodeIdentity.PublicKeyLength];
        if (NodeId.FromPublicKey(publicKey) != expectedPeer)
        {
            return HandshakeStatus.NodeIdMismatch;
        }

        Span<byte> signed = stackalloc byte[MaxSignedLength];
        signed = Concatenate(signed, label, handshakeHash);
        return NodeIdentity.Verify(publicKey, signed, plaintext[NodeIdentity.PublicKeyLength..])
            ? HandshakeStatus.Complete
            : HandshakeStatus.BadSignature;
    }

    private static Span<byte> Concatenate(Span<byte> buffer, ReadOnlySpan<byte> label, ReadOnlySpan<byte> handshakeHash)
    {
        label.CopyTo(buffer);
        handshakeHash.CopyTo(buffer[label.Length..]);
        return buffer[..(label.Length + handshakeHash.Length)];
    }
}

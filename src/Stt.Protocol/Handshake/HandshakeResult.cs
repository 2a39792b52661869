using System.Security.Cryptography;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;

using Stt.Protocol.Protection.Internal;

namespace Stt.Protocol.Handshake;

/// <summary>
/// What a completed handshake hands to the session: its ID, the two node IDs, the first data secret of each direction
/// (docs/protocol.md, section 7) and the Noise handshake hash.
/// </summary>
/// <remarks>
/// The secrets live in a pinned array that <see cref="Dispose"/> zeroes; the session layer derives its keys and IVs from
/// them and should dispose the result as soon as it has. Reading a secret after disposal throws.
/// </remarks>
public sealed class HandshakeResult : IDisposable
{
    /// <summary>Length of each data secret.</summary>
    public const int SecretLength = KeySchedule.SecretSize;

    /// <summary>Length of the handshake hash (SHA-256).</summary>
    public const int HandshakeHashLength = HandshakeFrames.HashLength;

    private const int InitiatorToResponderOffset = 0;
    private const int ResponderToInitiatorOffset = SecretLength;
    private const int HashOffset = 2 * SecretLength;

    private readonly byte[] _secrets;
    private bool _disposed;

    internal HandshakeResult(
        SessionRole role,
        ulong sessionId,
        NodeId localNodeId,
        NodeId peerNodeId,
        ReadOnlySpan<byte> chainingKey,
        ReadOnlySpan<byte> handshakeHash)
    {
        Role = role;
        SessionId = sessionId;
        LocalNodeId = localNodeId;
        PeerNodeId = peerNodeId;
        _secrets = GC.AllocateUninitializedArray<byte>(HashOffset + HandshakeHashLength, pinned: true);
        KeySchedule.DeriveInitialSecrets(
            chainingKey,
            handshakeHash,
            _secrets.AsSpan(InitiatorToResponderOffset, SecretLength),
            _secrets.AsSpan(ResponderToInitiatorOffset, SecretLength));
        handshakeHash.CopyTo(_secrets.AsSpan(HashOffset));
    }

    /// <summary>The side this node played.</summary>
    public SessionRole Role { get; }

    /// <summary>The session ID every later frame carries in its header (big-endian reading of its 8 bytes).</summary>
    public ulong SessionId { get; }

    /// <summary>This node's ID.</summary>
    public NodeId LocalNodeId { get; }

    /// <summary>The authenticated peer's node ID.</summary>
    public NodeId PeerNodeId { get; }

    /// <summary><c>secret[i2r,0]</c>: the initiator-to-responder data secret of key epoch 0.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public ReadOnlySpan<byte> InitiatorToResponderSecret => Slice(InitiatorToResponderOffset, SecretLength);

    /// <summary><c>secret[r2i,0]</c>: the responder-to-initiator data secret of key epoch 0.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public ReadOnlySpan<byte> ResponderToInitiatorSecret => Slice(ResponderToInitiatorOffset, SecretLength);

    /// <summary>The secret this node seals with: i2r for the initiator, r2i for the responder.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public ReadOnlySpan<byte> SendSecret =>
        Role == SessionRole.Initiator ? InitiatorToResponderSecret : ResponderToInitiatorSecret;

    /// <summary>The secret this node opens with: r2i for the initiator, i2r for the responder.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public ReadOnlySpan<byte> ReceiveSecret =>
        Role == SessionRole.Initiator ? ResponderToInitiatorSecret : InitiatorToResponderSecret;

    /// <summary>The Noise handshake hash <c>h</c>, usable for channel binding.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public ReadOnlySpan<byte> HandshakeHash => Slice(HashOffset, HandshakeHashLength);

    /// <summary>Zeroes the secrets.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_secrets);
    }

    private ReadOnlySpan<byte> Slice(int offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _secrets.AsSpan(offset, length);
    }
}

using System.Security.Cryptography;
using Stt.Protocol.Identity.Internal;

namespace Stt.Protocol.Identity;

/// <summary>
/// A node's long-term identity: the Ed25519 key pair derived from its node seed, and the <see cref="Identity.NodeId"/>
/// that names it (docs/protocol.md, section 1).
/// </summary>
/// <remarks>
/// The Ed25519 private seed is <c>HKDF-SHA256(ikm = node seed, salt = "STT/1 node-seed", info = "ed25519", L = 32)</c>,
/// so a node seed always yields the same identity. The secret key lives in a pinned array (never copied by the
/// garbage collector) that <see cref="Dispose"/> zeroes. Signing is thread-safe; disposing while another thread signs is not.
/// </remarks>
public sealed class NodeIdentity : IDisposable
{
    /// <summary>Shortest node seed accepted: 32 bytes.</summary>
    public const int MinimumSeedLength = 32;

    /// <summary>Length of the Ed25519 public key.</summary>
    public const int PublicKeyLength = Ed25519.PublicKeySize;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureLength = Ed25519.SignatureSize;

    private readonly byte[] _secretKey;
    private readonly byte[] _publicKey;
    private bool _disposed;

    /// <summary>Derives the identity of <paramref name="nodeSeed"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="nodeSeed"/> is shorter than 32 bytes.</exception>
    public NodeIdentity(ReadOnlySpan<byte> nodeSeed)
    {
        if (nodeSeed.Length < MinimumSeedLength)
        {
            throw new ArgumentException(
                $"A node seed must be at least {MinimumSeedLength} bytes of secret random data; got {nodeSeed.Length} bytes.",
                nameof(nodeSeed));
        }

        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, nodeSeed, seed, "STT/1 node-seed"u8, "ed25519"u8);
            _secretKey = GC.AllocateUninitializedArray<byte>(Ed25519.SecretKeySize, pinned: true);
            _publicKey = new byte[Ed25519.PublicKeySize];
            Ed25519.DeriveKeyPair(seed, _publicKey, _secretKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }

        NodeId = NodeId.FromPublicKey(_publicKey);
    }

    /// <summary>SHA-256 of <see cref="PublicKey"/>.</summary>
    public NodeId NodeId { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Verifies an Ed25519 signature.</summary>
    /// <returns>False for a wrong signature, or a key or signature of the wrong length.</returns>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Ed25519.Verify(publicKey, message, signature);

    /// <summary>Writes the 64-byte Ed25519 signature of <paramref name="message"/> to <paramref name="signature"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is shorter than 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The identity was disposed.</exception>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(signature.Length, SignatureLength, nameof(signature));
        Ed25519.Sign(_secretKey, message, signature);
    }

    /// <summary>Zeroes the secret key.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_secretKey);
    }
}

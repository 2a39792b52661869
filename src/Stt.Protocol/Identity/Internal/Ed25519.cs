using System.Diagnostics;
using System.Runtime.InteropServices;

using Stt.Protocol.Interop;

namespace Stt.Protocol.Identity.Internal;

/// <summary>Ed25519 (RFC 8032) through libsodium, on caller-owned spans.</summary>
internal static class Ed25519
{
    public const int SeedSize = Sodium.Ed25519SeedSize;
    public const int PublicKeySize = Sodium.Ed25519PublicKeySize;
    public const int SecretKeySize = Sodium.Ed25519SecretKeySize;
    public const int SignatureSize = Sodium.Ed25519SignatureSize;

    /// <summary>Expands a 32-byte private seed into the public key and libsodium's 64-byte secret key (seed ‖ public key).</summary>
    public static void DeriveKeyPair(ReadOnlySpan<byte> seed, Span<byte> publicKey, Span<byte> secretKey)
    {
        Debug.Assert(seed.Length == SeedSize && publicKey.Length == PublicKeySize && secretKey.Length == SecretKeySize);
        Sodium.EnsureInitialized();
        Sodium.Check(Sodium.crypto_sign_ed25519_seed_keypair(
            ref MemoryMarshal.GetReference(publicKey), ref MemoryMarshal.GetReference(secretKey), in MemoryMarshal.GetReference(seed)));
    }

    /// <summary>Writes the 64-byte signature of <paramref name="message"/> under <paramref name="secretKey"/>.</summary>
    public static void Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        Debug.Assert(secretKey.Length == SecretKeySize && signature.Length >= SignatureSize);
        Sodium.Check(Sodium.crypto_sign_ed25519_detached(
            ref MemoryMarshal.GetReference(signature),
            0,
            in Sodium.In(message),
            (ulong)message.Length,
            in MemoryMarshal.GetReference(secretKey)));
    }

    /// <summary>Whether <paramref name="signature"/> is a valid signature of <paramref name="message"/> under <paramref name="publicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        return Sodium.crypto_sign_ed25519_verify_detached(
            in MemoryMarshal.GetReference(signature),
            in Sodium.In(message),
            (ulong)message.Length,
            in MemoryMarshal.GetReference(publicKey)) == 0;
    }
}

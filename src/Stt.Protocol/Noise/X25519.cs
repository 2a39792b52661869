using System.Diagnostics;
using System.Runtime.InteropServices;

using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>The Noise DH function "25519" (RFC 7748 X25519) through libsodium.</summary>
internal static class X25519
{
    /// <summary>DHLEN: length of private keys, public keys and shared secrets.</summary>
    public const int KeySize = Sodium.X25519KeySize;

    /// <summary>Computes the public key of <paramref name="privateKey"/> (any 32 bytes; clamping is part of X25519).</summary>
    public static void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        Debug.Assert(privateKey.Length == KeySize && publicKey.Length >= KeySize);
        Sodium.Check(Sodium.crypto_scalarmult_curve25519_base(ref MemoryMarshal.GetReference(publicKey), in MemoryMarshal.GetReference(privateKey)));
    }

    /// <summary>Computes DH(<paramref name="privateKey"/>, <paramref name="publicKey"/>).</summary>
    /// <returns>False when the result is all zeros (a low-order public key); Noise lets a DH function reject it.</returns>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        Debug.Assert(privateKey.Length == KeySize && publicKey.Length == KeySize && sharedSecret.Length >= KeySize);
        return Sodium.crypto_scalarmult_curve25519(
            ref MemoryMarshal.GetReference(sharedSecret),
            in MemoryMarshal.GetReference(privateKey),
            in MemoryMarshal.GetReference(publicKey)) == 0;
    }
}

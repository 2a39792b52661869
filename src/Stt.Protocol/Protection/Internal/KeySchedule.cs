using System.Diagnostics;
using System.Security.Cryptography;

namespace Stt.Protocol.Protection.Internal;

/// <summary>
/// The STT key schedule (docs/protocol.md, section 7). All derivations are HKDF-SHA256 (RFC 5869) with the ASCII
/// labels of the spec as <c>info</c>, without length prefixes or terminators.
/// </summary>
/// <remarks>
/// <code>
/// master        = HKDF-Extract(salt = h, ikm = ck)
/// secret[i2r,0] = HKDF-Expand(master, "STT/1 data i2r", 32)
/// secret[r2i,0] = HKDF-Expand(master, "STT/1 data r2i", 32)
/// key[d,n]      = HKDF-Expand(secret[d,n], "STT/1 key", 32)
/// iv[d,n]       = HKDF-Expand(secret[d,n], "STT/1 iv", 12)
/// secret[d,n+1] = HKDF-Expand(secret[d,n], "STT/1 key update", 32)
/// </code>
/// </remarks>
internal static class KeySchedule
{
    /// <summary>Size of an epoch secret and of the handshake's chaining key.</summary>
    public const int SecretSize = 32;

    /// <summary>AES-256 key size.</summary>
    public const int KeySize = 32;

    /// <summary>AES-GCM nonce and IV size.</summary>
    public const int IvSize = 12;

    private static ReadOnlySpan<byte> InitiatorToResponderLabel => "STT/1 data i2r"u8;

    private static ReadOnlySpan<byte> ResponderToInitiatorLabel => "STT/1 data r2i"u8;

    private static ReadOnlySpan<byte> KeyLabel => "STT/1 key"u8;

    private static ReadOnlySpan<byte> IvLabel => "STT/1 iv"u8;

    private static ReadOnlySpan<byte> KeyUpdateLabel => "STT/1 key update"u8;

    /// <summary>
    /// Derives both directions' epoch-0 secrets from the Noise chaining key and handshake hash.
    /// </summary>
    public static void DeriveInitialSecrets(
        ReadOnlySpan<byte> chainingKey,
        ReadOnlySpan<byte> handshakeHash,
        Span<byte> initiatorToResponder,
        Span<byte> responderToInitiator)
    {
        ValidateSecretLength(initiatorToResponder.Length, nameof(initiatorToResponder));
        ValidateSecretLength(responderToInitiator.Length, nameof(responderToInitiator));
        Span<byte> master = stackalloc byte[SecretSize];
        HKDF.Extract(HashAlgorithmName.SHA256, chainingKey, handshakeHash, master);
        HKDF.Expand(HashAlgorithmName.SHA256, master, initiatorToResponder, InitiatorToResponderLabel);
        HKDF.Expand(HashAlgorithmName.SHA256, master, responderToInitiator, ResponderToInitiatorLabel);
        CryptographicOperations.ZeroMemory(master);
    }

    /// <summary>Derives <c>key[d,n]</c> from <c>secret[d,n]</c>.</summary>
    public static void DeriveKey(ReadOnlySpan<byte> epochSecret, Span<byte> key)
    {
        Debug.Assert(epochSecret.Length == SecretSize && key.Length == KeySize);
        HKDF.Expand(HashAlgorithmName.SHA256, epochSecret, key, KeyLabel);
    }

    /// <summary>Derives <c>iv[d,n]</c> from <c>secret[d,n]</c>.</summary>
    public static void DeriveIv(ReadOnlySpan<byte> epochSecret, Span<byte> iv)
    {
        Debug.Assert(epochSecret.Length == SecretSize && iv.Length == IvSize);
        HKDF.Expand(HashAlgorithmName.SHA256, epochSecret, iv, IvLabel);
    }

    /// <summary>Replaces <c>secret[d,n]</c> in <paramref name="epochSecret"/> with <c>secret[d,n+1]</c>.</summary>
    public static void AdvanceSecret(Span<byte> epochSecret)
    {
        Debug.Assert(epochSecret.Length == SecretSize);
        Span<byte> next = stackalloc byte[SecretSize];
        HKDF.Expand(HashAlgorithmName.SHA256, epochSecret, next, KeyUpdateLabel);
        next.CopyTo(epochSecret);
        CryptographicOperations.ZeroMemory(next);
    }

    /// <summary>Throws unless <paramref name="length"/> is <see cref="SecretSize"/>.</summary>
    public static void ValidateSecretLength(int length, string paramName)
    {
        if (length != SecretSize)
        {
            ThrowWrongSecretLength(paramName);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowWrongSecretLength(string paramName) =>
        throw new ArgumentException($"An STT epoch secret is exactly {SecretSize} bytes.", paramName);
}

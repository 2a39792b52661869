using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>Noise "AESGCM": AES-256-GCM with the nonce 0x00000000 ‖ big-endian 64-bit counter.</summary>
/// <remarks>
/// libsodium's AES-GCM needs AES-NI and carry-less multiply; where it is missing, .NET's <see cref="System.Security.Cryptography.AesGcm"/>
/// (OpenSSL) takes over. libsodium is used first because it costs about a third of OpenSSL's per-call setup on short inputs
/// (DESIGN.md, "Facts measured": ~0.7 us against ~2 us per 1200-byte packet).
/// </remarks>
internal sealed class AesGcmCipherFunction : NoiseCipherFunction
{
    private readonly bool _useSodium = Sodium.IsAes256GcmAvailable;

    public override string Name => "AESGCM";

    public override void Encrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Debug.Assert(key.Length == KeySize);
        ArgumentOutOfRangeException.ThrowIfLessThan(ciphertext.Length, plaintext.Length + TagSize, nameof(ciphertext));
        Span<byte> nonceBytes = stackalloc byte[Sodium.AeadNonceSize];
        WriteNonce(nonceBytes, nonce);
        if (_useSodium)
        {
            Sodium.Check(Sodium.crypto_aead_aes256gcm_encrypt(
                ref MemoryMarshal.GetReference(ciphertext),
                0,
                in Sodium.In(plaintext),
                (ulong)plaintext.Length,
                in Sodium.In(associatedData),
                (ulong)associatedData.Length,
                0,
                in MemoryMarshal.GetReference(nonceBytes),
                in MemoryMarshal.GetReference(key)));
            return;
        }

        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonceBytes, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, TagSize), associatedData);
    }

    public override bool Decrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Debug.Assert(key.Length == KeySize);
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        int plaintextLength = ciphertext.Length - TagSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, plaintextLength, nameof(plaintext));
        Span<byte> nonceBytes = stackalloc byte[Sodium.AeadNonceSize];
        WriteNonce(nonceBytes, nonce);
        if (_useSodium)
        {
            return Sodium.crypto_aead_aes256gcm_decrypt(
                ref Sodium.Out(plaintext),
                0,
                0,
                in MemoryMarshal.GetReference(ciphertext),
                (ulong)ciphertext.Length,
                in Sodium.In(associatedData),
                (ulong)associatedData.Length,
                in MemoryMarshal.GetReference(nonceBytes),
                in MemoryMarshal.GetReference(key)) == 0;
        }

        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(nonceBytes, ciphertext[..plaintextLength], ciphertext[plaintextLength..], plaintext[..plaintextLength], associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static void WriteNonce(Span<byte> destination, ulong nonce)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], nonce);
    }
}

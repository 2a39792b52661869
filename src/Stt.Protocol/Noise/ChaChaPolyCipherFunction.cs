using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>Noise "ChaChaPoly": ChaCha20-Poly1305 (RFC 8439) with the nonce 0x00000000 ‖ little-endian 64-bit counter.</summary>
internal sealed class ChaChaPolyCipherFunction : NoiseCipherFunction
{
    public ChaChaPolyCipherFunction()
    {
        Sodium.EnsureInitialized();
    }

    public override string Name => "ChaChaPoly";

    public override void Encrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Debug.Assert(key.Length == KeySize);
        ArgumentOutOfRangeException.ThrowIfLessThan(ciphertext.Length, plaintext.Length + TagSize, nameof(ciphertext));
        Span<byte> nonceBytes = stackalloc byte[Sodium.AeadNonceSize];
        WriteNonce(nonceBytes, nonce);
        Sodium.Check(Sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
            ref MemoryMarshal.GetReference(ciphertext),
            0,
            in Sodium.In(plaintext),
            (ulong)plaintext.Length,
            in Sodium.In(associatedData),
            (ulong)associatedData.Length,
            0,
            in MemoryMarshal.GetReference(nonceBytes),
            in MemoryMarshal.GetReference(key)));
    }

    public override bool Decrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Debug.Assert(key.Length == KeySize);
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, ciphertext.Length - TagSize, nameof(plaintext));
        Span<byte> nonceBytes = stackalloc byte[Sodium.AeadNonceSize];
        WriteNonce(nonceBytes, nonce);
        return Sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
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

    private static void WriteNonce(Span<byte> destination, ulong nonce)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], nonce);
    }
}

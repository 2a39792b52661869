using System.Diagnostics;
using System.Runtime.InteropServices;
using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>A Noise cipher function (Noise specification, section 4.2): an AEAD with a 32-byte key and a 64-bit nonce.</summary>
/// <remarks>
/// The checks and the nonce layout are shared; each cipher supplies its libsodium entry points and the byte order of
/// the counter in the 12-byte nonce (4 zero bytes, then the counter).
/// </remarks>
internal abstract class NoiseCipherFunction
{
    public const int KeySize = 32;

    public const int TagSize = 16;

    public static NoiseCipherFunction AesGcm { get; } = new AesGcmCipherFunction();

    public static NoiseCipherFunction ChaChaPoly { get; } = new ChaChaPolyCipherFunction();

    public abstract string Name { get; }

    public void Encrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Debug.Assert(key.Length == KeySize);
        ArgumentOutOfRangeException.ThrowIfLessThan(ciphertext.Length, plaintext.Length + TagSize, nameof(ciphertext));
        Span<byte> nonceBytes = stackalloc byte[Sodium.AeadNonceSize];
        WriteNonce(nonceBytes, nonce);
        Sodium.Check(SodiumEncrypt(
            ref MemoryMarshal.GetReference(ciphertext),
            in Sodium.In(plaintext),
            (ulong)plaintext.Length,
            in Sodium.In(associatedData),
            (ulong)associatedData.Length,
            in MemoryMarshal.GetReference(nonceBytes),
            in MemoryMarshal.GetReference(key)));
    }

    public bool Decrypt(
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
        return SodiumDecrypt(
            ref Sodium.Out(plaintext),
            in MemoryMarshal.GetReference(ciphertext),
            (ulong)ciphertext.Length,
            in Sodium.In(associatedData),
            (ulong)associatedData.Length,
            in MemoryMarshal.GetReference(nonceBytes),
            in MemoryMarshal.GetReference(key)) == 0;
    }

    /// <summary>Writes 4 zero bytes and then <paramref name="nonce"/> in the cipher's byte order.</summary>
    protected abstract void WriteNonce(Span<byte> destination, ulong nonce);

    /// <summary>libsodium's combined encrypt (ciphertext ‖ tag); returns 0 on success.</summary>
    protected abstract int SodiumEncrypt(
        ref byte ciphertext, in byte plaintext, ulong plaintextLength, in byte associatedData, ulong associatedDataLength, in byte nonce, in byte key);

    /// <summary>libsodium's combined decrypt; returns 0 when the tag verifies.</summary>
    protected abstract int SodiumDecrypt(
        ref byte plaintext, in byte ciphertext, ulong ciphertextLength, in byte associatedData, ulong associatedDataLength, in byte nonce, in byte key);
}

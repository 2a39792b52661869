using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>Noise "AESGCM": AES-256-GCM with the nonce 0x00000000 ‖ big-endian 64-bit counter.</summary>
/// <remarks>
/// libsodium's AES-GCM, as frame protection uses: it needs AES-NI and carry-less multiply, and like frame protection the
/// handshake refuses to run without them rather than fall back to a slower path no session could continue on.
/// </remarks>
internal sealed class AesGcmCipherFunction : NoiseCipherFunction
{
    public override string Name => "AESGCM";

    protected override void WriteNonce(Span<byte> destination, ulong nonce)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], nonce);
    }

    protected override int SodiumEncrypt(
        ref byte ciphertext, in byte plaintext, ulong plaintextLength, in byte associatedData, ulong associatedDataLength, in byte nonce, in byte key)
    {
        EnsureAvailable();
        return Sodium.crypto_aead_aes256gcm_encrypt(
            ref ciphertext, 0, in plaintext, plaintextLength, in associatedData, associatedDataLength, 0, in nonce, in key);
    }

    protected override int SodiumDecrypt(
        ref byte plaintext, in byte ciphertext, ulong ciphertextLength, in byte associatedData, ulong associatedDataLength, in byte nonce, in byte key)
    {
        EnsureAvailable();
        return Sodium.crypto_aead_aes256gcm_decrypt(
            ref plaintext, 0, 0, in ciphertext, ciphertextLength, in associatedData, associatedDataLength, in nonce, in key);
    }

    private static void EnsureAvailable()
    {
        if (!Sodium.IsAes256GcmAvailable)
        {
            ThrowNotSupported();
        }
    }

    [DoesNotReturn]
    private static void ThrowNotSupported() =>
        throw new PlatformNotSupportedException(
            "STT needs hardware AES-256-GCM (AES-NI and PCLMULQDQ on x64, the ARMv8 cryptography extensions on ARM64).");
}

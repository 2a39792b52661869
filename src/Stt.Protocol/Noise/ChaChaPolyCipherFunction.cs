using System.Buffers.Binary;
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

    protected override void WriteNonce(Span<byte> destination, ulong nonce)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], nonce);
    }

    protected override int SodiumEncrypt(
        ref byte ciphertext, in byte plaintext, ulong plaintextLength, in byte associatedData, ulong associatedDataLength, in byte nonce, in byte key) =>
        Sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
            ref ciphertext, 0, in plaintext, plaintextLength, in associatedData, associatedDataLength, 0, in nonce, in key);

    protected override int SodiumDecrypt(
        ref byte plaintext, in byte ciphertext, ulong ciphertextLength, in byte associatedData, ulong associatedDataLength, in byte nonce, in byte key) =>
        Sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
            ref plaintext, 0, 0, in ciphertext, ciphertextLength, in associatedData, associatedDataLength, in nonce, in key);
}

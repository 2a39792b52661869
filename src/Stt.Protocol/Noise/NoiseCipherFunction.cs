namespace Stt.Protocol.Noise;

/// <summary>
/// A Noise cipher function (Noise specification rev. 34, section 4.2): an AEAD with a 32-byte key,
/// a 64-bit nonce and a 16-byte tag appended to the ciphertext.
/// </summary>
internal abstract class NoiseCipherFunction
{
    /// <summary>Key length in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Authentication tag length in bytes.</summary>
    public const int TagSize = 16;

    /// <summary>AES-256-GCM; nonce = 4 zero bytes ‖ 64-bit big-endian counter.</summary>
    public static NoiseCipherFunction AesGcm { get; } = new AesGcmCipherFunction();

    /// <summary>ChaCha20-Poly1305 (RFC 8439); nonce = 4 zero bytes ‖ 64-bit little-endian counter.</summary>
    public static NoiseCipherFunction ChaChaPoly { get; } = new ChaChaPolyCipherFunction();

    /// <summary>The name used in Noise protocol names ("AESGCM", "ChaChaPoly").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext length + <see cref="TagSize"/> bytes).
    /// </summary>
    public abstract void Encrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext);

    /// <summary>
    /// Verifies and decrypts <paramref name="ciphertext"/> (at least <see cref="TagSize"/> bytes) into <paramref name="plaintext"/>.
    /// </summary>
    /// <returns>False when the tag does not verify; <paramref name="plaintext"/> then holds no plaintext.</returns>
    public abstract bool Decrypt(
        ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext);
}

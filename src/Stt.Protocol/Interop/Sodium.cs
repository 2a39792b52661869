using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Stt.Protocol.Interop;

/// <summary>
/// Direct calls into libsodium (the native library NSec.Cryptography ships) for the handshake's primitives and for
/// frame protection's AES-256-GCM on a precomputed key state.
/// </summary>
/// <remarks>
/// NSec wraps every key in fresh guarded memory (sodium_malloc + mprotect), which costs more than an X25519
/// operation itself; the handshake creates and discards several keys per attempt, so it calls libsodium with
/// spans instead and zeroes its own copies. Signatures use <c>ref</c>/<c>in</c> byte parameters (blittable, pinned
/// by the runtime for the call) so the project needs no unsafe code. Pointers that may be NULL are <see cref="nint"/>.
/// Every function here is documented by libsodium; return value 0 means success.
/// </remarks>
internal static class Sodium
{
    private const string Library = "libsodium";

    public const int X25519KeySize = 32;
    public const int Ed25519PublicKeySize = 32;
    public const int Ed25519SecretKeySize = 64;
    public const int Ed25519SeedSize = 32;
    public const int Ed25519SignatureSize = 64;
    public const int AeadKeySize = 32;
    public const int AeadNonceSize = 12;
    public const int AeadTagSize = 16;

    // Largest libsodium state among those used here: crypto_auth_hmacsha512_state (416 bytes).
    public const int MaxStateSize = 416;

    // Stands in for the address of an empty span: libsodium may dereference a non-NULL pointer only for length > 0.
    private static readonly byte[] EmptyBuffer = new byte[1];

    private static readonly bool Aes256GcmAvailable = Initialize();

    /// <summary>Whether libsodium's AES-256-GCM is usable on this CPU (it needs AES-NI and PCLMUL, or ARM crypto).</summary>
    public static bool IsAes256GcmAvailable => Aes256GcmAvailable;

    /// <summary>Runs <c>sodium_init</c> once so libsodium picks its CPU-specific implementations.</summary>
    public static void EnsureInitialized() => _ = Aes256GcmAvailable;

    /// <summary>A reference to the first byte of <paramref name="span"/>, valid to pass even when it is empty.</summary>
    public static ref readonly byte In(ReadOnlySpan<byte> span) =>
        ref span.IsEmpty ? ref EmptyBuffer[0] : ref MemoryMarshal.GetReference(span);

    /// <summary>A writable reference to the first byte of <paramref name="span"/>; libsodium writes nothing when it is empty.</summary>
    public static ref byte Out(Span<byte> span) =>
        ref span.IsEmpty ? ref EmptyBuffer[0] : ref MemoryMarshal.GetReference(span);

    /// <summary>Throws when a libsodium call that cannot fail for valid arguments reports a failure.</summary>
    public static void Check(int result)
    {
        if (result != 0)
        {
            ThrowCallFailed(result);
        }
    }

    [DoesNotReturn]
    private static void ThrowCallFailed(int result) =>
        throw new CryptographicException($"A libsodium call failed unexpectedly (result {result}).");

    private static bool Initialize()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialize.");
        }

        return crypto_aead_aes256gcm_is_available() != 0;
    }

    [DllImport(Library)]
    private static extern int sodium_init();

    [DllImport(Library)]
    private static extern int crypto_aead_aes256gcm_is_available();

    [DllImport(Library)]
    public static extern nuint crypto_hash_sha256_statebytes();

    [DllImport(Library)]
    public static extern nuint crypto_hash_sha512_statebytes();

    [DllImport(Library)]
    public static extern nuint crypto_auth_hmacsha256_statebytes();

    [DllImport(Library)]
    public static extern nuint crypto_auth_hmacsha512_statebytes();

    [DllImport(Library)]
    public static extern int crypto_scalarmult_curve25519_base(ref byte q, in byte n);

    [DllImport(Library)]
    public static extern int crypto_scalarmult_curve25519(ref byte q, in byte n, in byte p);

    [DllImport(Library)]
    public static extern int crypto_sign_ed25519_seed_keypair(ref byte pk, ref byte sk, in byte seed);

    [DllImport(Library)]
    public static extern int crypto_sign_ed25519_detached(ref byte sig, nint siglenP, in byte m, ulong mlen, in byte sk);

    [DllImport(Library)]
    public static extern int crypto_sign_ed25519_verify_detached(in byte sig, in byte m, ulong mlen, in byte pk);

    [DllImport(Library)]
    public static extern int crypto_aead_aes256gcm_encrypt(
        ref byte c, nint clenP, in byte m, ulong mlen, in byte ad, ulong adlen, nint nsec, in byte npub, in byte k);

    [DllImport(Library)]
    public static extern int crypto_aead_aes256gcm_decrypt(
        ref byte m, nint mlenP, nint nsec, in byte c, ulong clen, in byte ad, ulong adlen, in byte npub, in byte k);

    [DllImport(Library)]
    public static extern int crypto_aead_chacha20poly1305_ietf_encrypt(
        ref byte c, nint clenP, in byte m, ulong mlen, in byte ad, ulong adlen, nint nsec, in byte npub, in byte k);

    [DllImport(Library)]
    public static extern int crypto_aead_chacha20poly1305_ietf_decrypt(
        ref byte m, nint mlenP, nint nsec, in byte c, ulong clen, in byte ad, ulong adlen, in byte npub, in byte k);

    [DllImport(Library)]
    public static extern int crypto_hash_sha256_init(ref byte state);

    [DllImport(Library)]
    public static extern int crypto_hash_sha256_update(ref byte state, in byte m, ulong mlen);

    [DllImport(Library)]
    public static extern int crypto_hash_sha256_final(ref byte state, ref byte output);

    [DllImport(Library)]
    public static extern int crypto_hash_sha512_init(ref byte state);

    [DllImport(Library)]
    public static extern int crypto_hash_sha512_update(ref byte state, in byte m, ulong mlen);

    [DllImport(Library)]
    public static extern int crypto_hash_sha512_final(ref byte state, ref byte output);

    [DllImport(Library)]
    public static extern int crypto_auth_hmacsha256_init(ref byte state, in byte key, nuint keylen);

    [DllImport(Library)]
    public static extern int crypto_auth_hmacsha256_update(ref byte state, in byte m, ulong mlen);

    [DllImport(Library)]
    public static extern int crypto_auth_hmacsha256_final(ref byte state, ref byte output);

    [DllImport(Library)]
    public static extern int crypto_auth_hmacsha512_init(ref byte state, in byte key, nuint keylen);

    [DllImport(Library)]
    public static extern int crypto_auth_hmacsha512_update(ref byte state, in byte m, ulong mlen);

    [DllImport(Library)]
    public static extern int crypto_auth_hmacsha512_final(ref byte state, ref byte output);


    /// <summary>Size of <c>crypto_aead_aes256gcm_state</c>.</summary>
    [DllImport(Library, ExactSpelling = true)]
    public static extern nuint crypto_aead_aes256gcm_statebytes();

    /// <summary>Expands <paramref name="key"/> into the 16-byte-aligned state at <paramref name="state"/>.</summary>
    [DllImport(Library, ExactSpelling = true)]
    public static extern int crypto_aead_aes256gcm_beforenm(nint state, ref byte key);

    /// <summary>Encrypts <paramref name="mlen"/> bytes from <paramref name="m"/> to <paramref name="c"/> and writes the tag.</summary>
    [DllImport(Library, ExactSpelling = true)]
    public static extern int crypto_aead_aes256gcm_encrypt_detached_afternm(
        ref byte c,
        ref byte mac,
        nint maclenP,
        ref byte m,
        ulong mlen,
        ref byte ad,
        ulong adlen,
        nint nsec,
        nint npub,
        nint state);

    /// <summary>Verifies the tag and decrypts; returns 0 on success, -1 when the tag does not verify.</summary>
    [DllImport(Library, ExactSpelling = true)]
    public static extern int crypto_aead_aes256gcm_decrypt_detached_afternm(
        ref byte m,
        nint nsec,
        ref byte c,
        ulong clen,
        ref byte mac,
        ref byte ad,
        ulong adlen,
        nint npub,
        nint state);
}

using System.Runtime.InteropServices;

namespace Stt.Protocol.Protection.Internal;

/// <summary>
/// P/Invoke declarations for libsodium's AES-256-GCM with a precomputed key state (the <c>_afternm</c> API).
/// </summary>
/// <remarks>
/// Why libsodium with a precomputed state: FrameProtectionBenchmarks encrypts and decrypts the same frame in place on
/// each backend. Measured on this project's 2-core AMD EPYC (AES-NI, VAES), interleaved runs, best of 31 rounds,
/// encrypt + decrypt: 64 bytes — these calls 126 ns, NSec's Aes256Gcm 300 ns (2.4x), .NET AesGcm 1,834 ns (14.5x);
/// 1,200 bytes — 622 ns, 784 ns (1.26x), 2,169 ns (3.5x); from 16 KiB on all three run at AES throughput. NSec calls
/// the one-shot <c>crypto_aead_aes256gcm_encrypt</c>, which expands the key and the 14 powers of H on every call;
/// .NET's AesGcm pays OpenSSL's per-call context setup. The native library is the one NSec.Cryptography's
/// <c>libsodium</c> package ships, resolved by the same name NSec uses. The project builds without
/// <c>AllowUnsafeBlocks</c>, so these are runtime-marshalled <c>DllImport</c>s with only blittable parameters
/// (<c>ref byte</c> is pinned, not copied; pinned-heap addresses pass as <see cref="nint"/>) rather than
/// source-generated <c>LibraryImport</c>s. Plaintext and ciphertext may be the same memory: libsodium's AES-GCM
/// supports in-place operation, and the round-trip tests exercise it at every size class (0 to 2 MiB). On a tag
/// mismatch, decryption overwrites the output with a fill byte.
/// </remarks>
internal static class LibsodiumAes256Gcm
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private const string Library = "libsodium";

    /// <summary>Initialises libsodium (idempotent; returns 0, or 1 when already initialised, or -1 on failure).</summary>
    [DllImport(Library, ExactSpelling = true)]
    public static extern int sodium_init();

    /// <summary>1 when the CPU has the instructions libsodium's AES-256-GCM needs (x64: AES-NI, PCLMULQDQ, AVX).</summary>
    [DllImport(Library, ExactSpelling = true)]
    public static extern int crypto_aead_aes256gcm_is_available();

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

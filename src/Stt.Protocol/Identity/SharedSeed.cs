using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Stt.Protocol.Identity;

/// <summary>
/// The secret shared by the nodes allowed to talk to each other, reduced to the Noise pre-shared key that authenticates
/// every handshake (docs/protocol.md, section 1).
/// </summary>
/// <remarks>
/// <para>From raw bytes: <c>psk = HKDF-SHA256(ikm = shared seed, salt = "STT/1 shared-seed", info = "psk", L = 32)</c>.
/// The seed must be at least 32 bytes of uniformly random data; a passphrase goes through <see cref="FromPassphrase"/>.</para>
/// <para>The key lives in a pinned array that <see cref="Dispose"/> zeroes.</para>
/// </remarks>
public sealed class SharedSeed : IDisposable
{
    /// <summary>Shortest shared seed accepted: 32 bytes (256 bits of entropy).</summary>
    public const int MinimumSeedLength = 32;

    /// <summary>Length of the derived pre-shared key.</summary>
    public const int PskLength = 32;

    private readonly byte[] _psk;
    private bool _disposed;

    /// <summary>Derives the pre-shared key from at least 32 bytes of random seed.</summary>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is shorter than 32 bytes.</exception>
    public SharedSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length < MinimumSeedLength)
        {
            throw new ArgumentException(
                $"A shared seed must be at least {MinimumSeedLength} bytes of uniformly random data; got {seed.Length} bytes. " +
                "Use SharedSeed.FromPassphrase for a secret a person types.",
                nameof(seed));
        }

        _psk = GC.AllocateUninitializedArray<byte>(PskLength, pinned: true);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, _psk, "STT/1 shared-seed"u8, "psk"u8);
    }

    /// <summary>
    /// Stretches a typed passphrase into a 32-byte shared seed with Argon2id and derives the pre-shared key from it.
    /// </summary>
    /// <remarks>
    /// The passphrase is normalized to Unicode NFC and encoded as UTF-8, then stretched with Argon2id (salt = ASCII
    /// "STT/1 passphrase", 3 passes, 64 MiB, parallelism 1, 32-byte output). This takes about a quarter of a second and
    /// 64 MiB of memory by design: do it once at start-up. The string itself cannot be zeroed; the UTF-8 copy is.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="passphrase"/> is null, empty or white space.</exception>
    public static SharedSeed FromPassphrase(string passphrase)
    {
        if (string.IsNullOrWhiteSpace(passphrase))
        {
            throw new ArgumentException("A passphrase must not be empty or white space.", nameof(passphrase));
        }

        string normalized = passphrase.Normalize(NormalizationForm.FormC);
        byte[] utf8 = GC.AllocateUninitializedArray<byte>(System.Text.Encoding.UTF8.GetByteCount(normalized), pinned: true);
        Span<byte> stretched = stackalloc byte[MinimumSeedLength];
        try
        {
            System.Text.Encoding.UTF8.GetBytes(normalized, utf8);
            var parameters = new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 64 * 1024, NumberOfPasses = 3 };
            PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters).DeriveBytes(utf8, "STT/1 passphrase"u8, stretched);
            return new SharedSeed(stretched);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
            CryptographicOperations.ZeroMemory(stretched);
        }
    }

    /// <summary>The 32-byte Noise pre-shared key.</summary>
    internal ReadOnlySpan<byte> Psk
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _psk;
        }
    }

    /// <summary>Zeroes the pre-shared key.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_psk);
    }
}

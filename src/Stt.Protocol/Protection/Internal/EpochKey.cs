using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Stt.Protocol.Interop;

namespace Stt.Protocol.Protection.Internal;

/// <summary>
/// The AEAD key of one key epoch in one direction: libsodium's expanded AES-256-GCM state and the epoch's IV
/// (docs/protocol.md, sections 7 and 8). One instance is reused across epochs: <see cref="Load"/> replaces its
/// contents and <see cref="Clear"/> zeroes them, so rotating keys allocates nothing.
/// </summary>
/// <remarks>Not thread-safe; the owning sealer or opener serialises access.</remarks>
internal sealed class EpochKey : IDisposable
{
    // libsodium declares crypto_aead_aes256gcm_state CRYPTO_ALIGN(16) and reads the round keys as __m128i.
    private const int StateAlignment = 16;

    private static int _cachedStateSize;

    // On the pinned object heap, so addresses computed once stay valid for the object's lifetime: libsodium's state
    // at a 16-byte-aligned offset, then the nonce of the frame being sealed or opened. Keeping the nonce here rather
    // than in a stackalloc saved about 10 ns per call at 64-byte frames (the stackalloc's zeroing and stack-cookie
    // check); FrameProtectionBenchmarks measures the result.
    private readonly byte[] _buffer;
    private readonly int _stateOffset;
    private readonly int _stateSize;
    private readonly int _nonceOffset;
    private readonly nint _state;
    private readonly nint _nonce;

    // The last 8 bytes of the IV, big-endian: the nonce is iv XOR (0^32 || sequence), so only they vary per frame.
    private ulong _ivSuffix;
    private bool _loaded;

    public EpochKey()
    {
        _stateSize = EnsureSupported();
        _buffer = GC.AllocateArray<byte>(_stateSize + StateAlignment - 1 + Sodium.AeadNonceSize, pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0);
        _stateOffset = (int)((StateAlignment - (address & (StateAlignment - 1))) & (StateAlignment - 1));
        _nonceOffset = _stateOffset + _stateSize;
        _state = address + _stateOffset;
        _nonce = address + _nonceOffset;
    }

    /// <summary>Whether the key holds an epoch's material.</summary>
    public bool IsLoaded => _loaded;

    /// <summary>Whether every byte of key material is zero (after <see cref="Clear"/> or <see cref="Dispose"/>).</summary>
    internal bool IsZeroed =>
        _ivSuffix == 0 && !_buffer.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>
    /// Checks once per process that libsodium loads and that its AES-256-GCM runs on this CPU.
    /// </summary>
    /// <returns>The size of libsodium's AES-256-GCM state.</returns>
    /// <exception cref="PlatformNotSupportedException">libsodium is missing, or the CPU lacks the AES instructions.</exception>
    public static int EnsureSupported()
    {
        int size = Volatile.Read(ref _cachedStateSize);
        return size != 0 ? size : Initialize();
    }

    /// <summary>Derives the key and IV of the epoch whose secret is <paramref name="epochSecret"/> (section 7).</summary>
    public void Load(ReadOnlySpan<byte> epochSecret)
    {
        Span<byte> key = stackalloc byte[KeySchedule.KeySize];
        Span<byte> iv = stackalloc byte[KeySchedule.IvSize];
        KeySchedule.DeriveKey(epochSecret, key);
        KeySchedule.DeriveIv(epochSecret, iv);
        int result = Sodium.crypto_aead_aes256gcm_beforenm(_state, ref MemoryMarshal.GetReference(key));
        _ivSuffix = BinaryPrimitives.ReadUInt64BigEndian(iv[4..]);
        iv[..4].CopyTo(_buffer.AsSpan(_nonceOffset));
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(iv);
        if (result != 0)
        {
            ThrowLibsodiumFailure(nameof(Sodium.crypto_aead_aes256gcm_beforenm), result);
        }

        _loaded = true;
    }

    /// <summary>Zeroes the expanded key and the IV.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_buffer);
        _ivSuffix = 0;
        _loaded = false;
    }

    /// <summary>
    /// Encrypts <c>frame[headerSize..headerSize + plaintextLength]</c> in place with the header as associated data and
    /// writes the tag right after it.
    /// </summary>
    public void Seal(Span<byte> frame, int headerSize, int plaintextLength, ulong sequence)
    {
        Debug.Assert(_loaded);
        Debug.Assert(frame.Length == headerSize + plaintextLength + Sodium.AeadTagSize);
        SetNonce(sequence);
        Span<byte> text = frame.Slice(headerSize, plaintextLength);
        ref byte textStart = ref MemoryMarshal.GetReference(text);
        int result = Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm(
            ref textStart,
            ref MemoryMarshal.GetReference(frame[(headerSize + plaintextLength)..]),
            0,
            ref textStart,
            (ulong)plaintextLength,
            ref MemoryMarshal.GetReference(frame),
            (ulong)headerSize,
            0,
            _nonce,
            _state);

        // libsodium fails only for inputs beyond 2^32 blocks, which the 2 MiB frame cap rules out.
        if (result != 0)
        {
            ThrowLibsodiumFailure(nameof(Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm), result);
        }
    }

    /// <summary>
    /// Verifies the tag at the end of <paramref name="frame"/> and decrypts the ciphertext in place.
    /// </summary>
    /// <returns><see langword="false"/> when the tag does not verify; libsodium then overwrites the ciphertext.</returns>
    public bool TryOpen(Span<byte> frame, int headerSize, int ciphertextLength, ulong sequence)
    {
        Debug.Assert(_loaded);
        Debug.Assert(frame.Length == headerSize + ciphertextLength + Sodium.AeadTagSize);
        SetNonce(sequence);
        Span<byte> text = frame.Slice(headerSize, ciphertextLength);
        ref byte textStart = ref MemoryMarshal.GetReference(text);
        return Sodium.crypto_aead_aes256gcm_decrypt_detached_afternm(
            ref textStart,
            0,
            ref textStart,
            (ulong)ciphertextLength,
            ref MemoryMarshal.GetReference(frame[(headerSize + ciphertextLength)..]),
            ref MemoryMarshal.GetReference(frame),
            (ulong)headerSize,
            _nonce,
            _state) == 0;
    }

    /// <summary>Zeroes the key material.</summary>
    public void Dispose() => Clear();

    // nonce = iv XOR (0^32 || sequence): the first four bytes are the IV's, written by Load.
    private void SetNonce(ulong sequence) =>
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_nonceOffset + 4), _ivSuffix ^ sequence);

    private static int Initialize()
    {
        int stateSize = 0;
        try
        {
            if (!Sodium.IsAes256GcmAvailable)
            {
                ThrowNotSupported(
                    "STT frame protection needs hardware AES-256-GCM: on x64 the AES-NI, PCLMULQDQ and AVX instructions, " +
                    "on ARM64 the ARMv8 cryptography extensions. libsodium reports that this CPU lacks them.",
                    null);
            }

            stateSize = checked((int)Sodium.crypto_aead_aes256gcm_statebytes());
        }
        catch (DllNotFoundException ex)
        {
            ThrowNotSupported("The native libsodium library (shipped with NSec.Cryptography) could not be loaded.", ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            ThrowNotSupported("The loaded libsodium lacks the AES-256-GCM entry points STT calls.", ex);
        }

        Volatile.Write(ref _cachedStateSize, stateSize);
        return stateSize;
    }

    [DoesNotReturn]
    private static void ThrowLibsodiumFailure(string function, int result) =>
        throw new CryptographicException($"libsodium's {function} failed with {result}.");

    [DoesNotReturn]
    private static void ThrowNotSupported(string message, Exception? inner) =>
        throw new PlatformNotSupportedException(message, inner);
}

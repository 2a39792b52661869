using System.Diagnostics;
using System.Security.Cryptography;

namespace Stt.Protocol.Noise;

/// <summary>
/// Noise CipherState (specification rev. 34, section 5.1): a key <c>k</c> (or none) and a 64-bit nonce <c>n</c>.
/// </summary>
/// <remarks>
/// A mutable struct so a handshake can copy its whole state cheaply and commit or discard the copy. Use it through a field or
/// a local, never through a copy you expect to advance. Call <see cref="Clear"/> when done: it holds a key.
/// </remarks>
internal struct CipherState
{
    private const ulong ReservedNonce = ulong.MaxValue;

    private readonly NoiseCipherFunction _cipher;
    private Bytes32 _key;
    private ulong _nonce;
    private bool _hasKey;

    /// <summary>Creates an empty cipher state for <paramref name="cipher"/>.</summary>
    public CipherState(NoiseCipherFunction cipher)
    {
        _cipher = cipher;
    }

    /// <summary>Whether a key is set (HasKey()).</summary>
    public readonly bool HasKey => _hasKey;

    /// <summary>The next nonce.</summary>
    public readonly ulong Nonce => _nonce;

    /// <summary>InitializeKey(key): sets <c>k</c> and resets <c>n</c> to 0.</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        Debug.Assert(key.Length == NoiseCipherFunction.KeySize);
        key.CopyTo(_key);
        _nonce = 0;
        _hasKey = true;
    }

    /// <summary>SetNonce(nonce).</summary>
    public void SetNonce(ulong nonce) => _nonce = nonce;

    /// <summary>EncryptWithAd: writes the ciphertext (plaintext length + 16 with a key, else the plaintext) and returns its length.</summary>
    /// <exception cref="InvalidOperationException">The nonce space is exhausted.</exception>
    public int EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (!_hasKey)
        {
            plaintext.CopyTo(ciphertext);
            return plaintext.Length;
        }

        if (_nonce == ReservedNonce)
        {
            ThrowNonceExhausted();
        }

        _cipher.Encrypt(_key, _nonce, associatedData, plaintext, ciphertext);
        _nonce++;
        return plaintext.Length + NoiseCipherFunction.TagSize;
    }

    /// <summary>DecryptWithAd: verifies and decrypts; on failure returns false and changes nothing.</summary>
    public bool DecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int plaintextLength)
    {
        if (!_hasKey)
        {
            ciphertext.CopyTo(plaintext);
            plaintextLength = ciphertext.Length;
            return true;
        }

        plaintextLength = 0;
        if (_nonce == ReservedNonce || !_cipher.Decrypt(_key, _nonce, associatedData, ciphertext, plaintext))
        {
            return false;
        }

        _nonce++;
        plaintextLength = ciphertext.Length - NoiseCipherFunction.TagSize;
        return true;
    }

    /// <summary>Rekey(): <c>k = ENCRYPT(k, 2^64 - 1, empty, 32 zero bytes)</c> truncated to 32 bytes; the nonce is kept.</summary>
    public void Rekey()
    {
        Debug.Assert(_hasKey);
        Span<byte> zeros = stackalloc byte[NoiseCipherFunction.KeySize];
        zeros.Clear();
        Span<byte> output = stackalloc byte[NoiseCipherFunction.KeySize + NoiseCipherFunction.TagSize];
        _cipher.Encrypt(_key, ReservedNonce, default, zeros, output);
        output[..NoiseCipherFunction.KeySize].CopyTo(_key);
        CryptographicOperations.ZeroMemory(output);
    }

    /// <summary>Zeroes the key and forgets it.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_key);
        _nonce = 0;
        _hasKey = false;
    }

    private static void ThrowNonceExhausted() =>
        throw new InvalidOperationException("The Noise nonce space is exhausted; the cipher state must not be used any more.");
}

using System.Diagnostics;
using System.Security.Cryptography;

namespace Stt.Protocol.Noise;

/// <summary>
/// Noise SymmetricState (specification rev. 34, section 5.2): a <see cref="CipherState"/>, the chaining key <c>ck</c>
/// and the handshake hash <c>h</c>.
/// </summary>
/// <remarks>A mutable struct, copied to make a handshake step transactional; call <see cref="Clear"/> on discarded copies.</remarks>
internal struct SymmetricState
{
    private readonly NoiseHashFunction _hash;
    private CipherState _cipherState;
    private Bytes64 _chainingKey;
    private Bytes64 _handshakeHash;

    /// <summary>InitializeSymmetric(protocol_name), with <c>h</c> precomputed by <see cref="NoiseProtocol"/>.</summary>
    public SymmetricState(NoiseProtocol protocol)
    {
        _hash = protocol.Hash;
        _cipherState = new CipherState(protocol.Cipher);
        ReadOnlySpan<byte> initial = protocol.InitialHash;
        initial.CopyTo(_handshakeHash);
        initial.CopyTo(_chainingKey);
    }

    /// <summary>HASHLEN of the protocol's hash function.</summary>
    public readonly int HashLength => _hash.HashLength;

    /// <summary>Whether the cipher state has a key.</summary>
    public readonly bool HasKey => _cipherState.HasKey;

    /// <summary>MixKey(input_key_material).</summary>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        int length = _hash.HashLength;
        Span<byte> ck = _chainingKey[..length];
        Span<byte> tempKey = stackalloc byte[NoiseHashFunction.MaxHashLength];
        tempKey = tempKey[..length];
        _hash.Hkdf(ck, inputKeyMaterial, ck, tempKey, default);
        _cipherState.InitializeKey(tempKey[..NoiseCipherFunction.KeySize]);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>MixHash(data): <c>h = HASH(h ‖ data)</c>.</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        Span<byte> h = _handshakeHash[.._hash.HashLength];
        _hash.Hash(h, data, h);
    }

    /// <summary>MixKeyAndHash(input_key_material), used for the <c>psk</c> token.</summary>
    public void MixKeyAndHash(ReadOnlySpan<byte> inputKeyMaterial)
    {
        int length = _hash.HashLength;
        Span<byte> ck = _chainingKey[..length];
        Span<byte> temp = stackalloc byte[2 * NoiseHashFunction.MaxHashLength];
        Span<byte> tempHash = temp[..length];
        Span<byte> tempKey = temp.Slice(length, length);
        _hash.Hkdf(ck, inputKeyMaterial, ck, tempHash, tempKey);
        MixHash(tempHash);
        _cipherState.InitializeKey(tempKey[..NoiseCipherFunction.KeySize]);
        CryptographicOperations.ZeroMemory(temp);
    }

    /// <summary>EncryptAndHash(plaintext): writes the ciphertext and returns its length.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        int written = _cipherState.EncryptWithAd(_handshakeHash[.._hash.HashLength], plaintext, ciphertext);
        MixHash(ciphertext[..written]);
        return written;
    }

    /// <summary>DecryptAndHash(ciphertext): on failure returns false and changes nothing.</summary>
    public bool DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int plaintextLength)
    {
        if (!_cipherState.DecryptWithAd(_handshakeHash[.._hash.HashLength], ciphertext, plaintext, out plaintextLength))
        {
            return false;
        }

        MixHash(ciphertext);
        return true;
    }

    /// <summary>Split(): the initiator-to-responder and responder-to-initiator cipher states.</summary>
    public readonly void Split(NoiseCipherFunction cipher, out CipherState initiatorToResponder, out CipherState responderToInitiator)
    {
        int length = _hash.HashLength;
        Span<byte> temp = stackalloc byte[2 * NoiseHashFunction.MaxHashLength];
        Span<byte> tempKey1 = temp[..length];
        Span<byte> tempKey2 = temp.Slice(length, length);
        _hash.Hkdf(((ReadOnlySpan<byte>)_chainingKey)[..length], default, tempKey1, tempKey2, default);
        initiatorToResponder = new CipherState(cipher);
        initiatorToResponder.InitializeKey(tempKey1[..NoiseCipherFunction.KeySize]);
        responderToInitiator = new CipherState(cipher);
        responderToInitiator.InitializeKey(tempKey2[..NoiseCipherFunction.KeySize]);
        CryptographicOperations.ZeroMemory(temp);
    }

    /// <summary>Copies the handshake hash <c>h</c> (HASHLEN bytes) to <paramref name="destination"/>.</summary>
    public readonly int CopyHandshakeHash(Span<byte> destination)
    {
        Debug.Assert(destination.Length >= _hash.HashLength);
        ((ReadOnlySpan<byte>)_handshakeHash)[.._hash.HashLength].CopyTo(destination);
        return _hash.HashLength;
    }

    /// <summary>Copies the chaining key <c>ck</c> (HASHLEN bytes) to <paramref name="destination"/>.</summary>
    public readonly int CopyChainingKey(Span<byte> destination)
    {
        Debug.Assert(destination.Length >= _hash.HashLength);
        ((ReadOnlySpan<byte>)_chainingKey)[.._hash.HashLength].CopyTo(destination);
        return _hash.HashLength;
    }

    /// <summary>Zeroes the chaining key, the handshake hash and the cipher key.</summary>
    public void Clear()
    {
        _cipherState.Clear();
        CryptographicOperations.ZeroMemory(_chainingKey);
        CryptographicOperations.ZeroMemory(_handshakeHash);
    }
}

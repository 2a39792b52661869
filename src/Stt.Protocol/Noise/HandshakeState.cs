using System.Diagnostics;
using System.Security.Cryptography;
using Stt.Protocol.Crypto;

namespace Stt.Protocol.Noise;

/// <summary>
/// Noise HandshakeState (specification rev. 34, section 5.3) for a pattern without static keys or pre-messages (NNpsk0).
/// </summary>
/// <remarks>
/// <see cref="TryWriteMessage"/> and <see cref="TryReadMessage"/> are transactional: they work on a copy of the state and
/// commit it only on success, so a forged or corrupted message leaves the handshake exactly where it was and the genuine
/// message can still be processed. A mutable struct: keep it in a field or local and call <see cref="Clear"/> when done.
/// </remarks>
internal struct HandshakeState
{
    /// <summary>Largest Noise message (section 3).</summary>
    public const int MaxMessageLength = 65535;

    private readonly NoiseProtocol _protocol;
    private readonly bool _isInitiator;
    private SymmetricState _symmetric;
    private Bytes32 _psk;
    private Bytes32 _ephemeralPrivate;
    private Bytes32 _ephemeralPublic;
    private Bytes32 _remoteEphemeral;
    private bool _hasEphemeral;
    private bool _hasRemoteEphemeral;
    private int _messageIndex;

    /// <summary>
    /// Initialize(): InitializeSymmetric(protocol name), MixHash(prologue), and the pre-shared key. With
    /// <paramref name="ephemeralPrivateKey"/> the <c>e</c> token uses that key instead of generating one (test vectors).
    /// </summary>
    public HandshakeState(
        NoiseProtocol protocol,
        bool isInitiator,
        ReadOnlySpan<byte> prologue,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> ephemeralPrivateKey = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (protocol.Pattern.IsPsk && psk.Length != 32)
        {
            throw new ArgumentException("A psk handshake needs a 32-byte pre-shared key.", nameof(psk));
        }

        _protocol = protocol;
        _isInitiator = isInitiator;
        _symmetric = new SymmetricState(protocol);
        _symmetric.MixHash(prologue);
        psk.CopyTo(_psk);
        if (!ephemeralPrivateKey.IsEmpty)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(ephemeralPrivateKey.Length, X25519.KeySize, nameof(ephemeralPrivateKey));
            ephemeralPrivateKey.CopyTo(_ephemeralPrivate);
            X25519.DerivePublicKey(_ephemeralPrivate, _ephemeralPublic);
            _hasEphemeral = true;
        }
    }

    /// <summary>Whether this side is the initiator.</summary>
    public readonly bool IsInitiator => _isInitiator;

    /// <summary>Whether all handshake messages have been written or read.</summary>
    public readonly bool IsComplete => _protocol is not null && _messageIndex == _protocol.Pattern.Messages.Count;

    /// <summary>Whether the next handshake message is this side's to write.</summary>
    public readonly bool IsWriteTurn => !IsComplete && ((_messageIndex & 1) == 0) == _isInitiator;

    /// <summary>HASHLEN of the protocol.</summary>
    public readonly int HashLength => _symmetric.HashLength;

    /// <summary>Length of the next handshake message for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public readonly int GetMessageLength(int payloadLength)
    {
        int length = payloadLength;
        bool hasKey = _symmetric.HasKey;
        foreach (NoiseToken token in _protocol.Pattern.Messages[_messageIndex])
        {
            switch (token)
            {
                case NoiseToken.E:
                    length += X25519.KeySize;
                    hasKey |= _protocol.Pattern.IsPsk;
                    break;
                default:
                    hasKey = true;
                    break;
            }
        }

        return hasKey ? length + NoiseCipherFunction.TagSize : length;
    }

    /// <summary>WriteMessage(payload, message_buffer): writes the next handshake message.</summary>
    /// <returns>False (state unchanged) when a DH result is all zeros, that is the peer's ephemeral key has low order.</returns>
    /// <exception cref="InvalidOperationException">It is not this side's turn to write.</exception>
    /// <exception cref="ArgumentException">The message would exceed 65,535 bytes or does not fit <paramref name="message"/>.</exception>
    public bool TryWriteMessage(ReadOnlySpan<byte> payload, Span<byte> message, RandomSource random, out int written)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!IsWriteTurn)
        {
            throw new InvalidOperationException("It is not this side's turn to write a handshake message.");
        }

        int length = GetMessageLength(payload.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxMessageLength, nameof(payload));
        ArgumentOutOfRangeException.ThrowIfLessThan(message.Length, length, nameof(message));

        HandshakeState next = this;
        bool ok = next.WriteTokens(payload, message, random, out written);
        if (ok)
        {
            this = next;
        }

        next.Clear();
        return ok;
    }

    /// <summary>ReadMessage(message, payload_buffer): reads the next handshake message from the peer.</summary>
    /// <returns>False, with the state unchanged, when the message is too short, a DH result is zero or the tag fails.</returns>
    /// <exception cref="InvalidOperationException">It is not this side's turn to read.</exception>
    public bool TryReadMessage(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength)
    {
        if (IsComplete || IsWriteTurn)
        {
            throw new InvalidOperationException("It is not this side's turn to read a handshake message.");
        }

        payloadLength = 0;
        if (message.Length > MaxMessageLength)
        {
            return false;
        }

        HandshakeState next = this;
        bool ok = next.ReadTokens(message, payload, out payloadLength);
        if (ok)
        {
            this = next;
        }

        next.Clear();
        return ok;
    }

    /// <summary>Split() after the last handshake message: the initiator-to-responder and responder-to-initiator cipher states.</summary>
    public readonly void Split(out CipherState initiatorToResponder, out CipherState responderToInitiator)
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("Split() is only valid once the handshake is complete.");
        }

        _symmetric.Split(_protocol.Cipher, out initiatorToResponder, out responderToInitiator);
    }

    /// <summary>Copies the handshake hash <c>h</c> (HASHLEN bytes).</summary>
    public readonly int CopyHandshakeHash(Span<byte> destination) => _symmetric.CopyHandshakeHash(destination);

    /// <summary>Copies the chaining key <c>ck</c> (HASHLEN bytes).</summary>
    public readonly int CopyChainingKey(Span<byte> destination) => _symmetric.CopyChainingKey(destination);

    /// <summary>Copies the peer's ephemeral public key, once received.</summary>
    public readonly void CopyRemoteEphemeral(Span<byte> destination)
    {
        Debug.Assert(_hasRemoteEphemeral);
        ((ReadOnlySpan<byte>)_remoteEphemeral).CopyTo(destination);
    }

    /// <summary>Zeroes every secret (ephemeral private key, psk, chaining key, hash, cipher key).</summary>
    public void Clear()
    {
        _symmetric.Clear();
        CryptographicOperations.ZeroMemory(_psk);
        CryptographicOperations.ZeroMemory(_ephemeralPrivate);
        _hasEphemeral = false;
    }

    private bool WriteTokens(ReadOnlySpan<byte> payload, Span<byte> message, RandomSource random, out int written)
    {
        written = 0;
        Span<byte> dh = stackalloc byte[X25519.KeySize];
        try
        {
            foreach (NoiseToken token in _protocol.Pattern.Messages[_messageIndex])
            {
                switch (token)
                {
                    case NoiseToken.E:
                        if (!_hasEphemeral)
                        {
                            random.Fill(_ephemeralPrivate);
                            X25519.DerivePublicKey(_ephemeralPrivate, _ephemeralPublic);
                            _hasEphemeral = true;
                        }

                        ((ReadOnlySpan<byte>)_ephemeralPublic).CopyTo(message[written..]);
                        written += X25519.KeySize;
                        MixEphemeral(_ephemeralPublic);
                        break;
                    case NoiseToken.Ee:
                        if (!X25519.TryAgree(_ephemeralPrivate, _remoteEphemeral, dh))
                        {
                            return false;
                        }

                        _symmetric.MixKey(dh);
                        break;
                    case NoiseToken.Psk:
                        _symmetric.MixKeyAndHash(_psk);
                        break;
                }
            }

            written += _symmetric.EncryptAndHash(payload, message[written..]);
            _messageIndex++;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private bool ReadTokens(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength)
    {
        payloadLength = 0;
        int read = 0;
        Span<byte> dh = stackalloc byte[X25519.KeySize];
        try
        {
            foreach (NoiseToken token in _protocol.Pattern.Messages[_messageIndex])
            {
                switch (token)
                {
                    case NoiseToken.E:
                        if (message.Length - read < X25519.KeySize)
                        {
                            return false;
                        }

                        message.Slice(read, X25519.KeySize).CopyTo(_remoteEphemeral);
                        _hasRemoteEphemeral = true;
                        read += X25519.KeySize;
                        MixEphemeral(_remoteEphemeral);
                        break;
                    case NoiseToken.Ee:
                        if (!X25519.TryAgree(_ephemeralPrivate, _remoteEphemeral, dh))
                        {
                            return false;
                        }

                        _symmetric.MixKey(dh);
                        break;
                    case NoiseToken.Psk:
                        _symmetric.MixKeyAndHash(_psk);
                        break;
                }
            }

            ReadOnlySpan<byte> ciphertext = message[read..];
            if (_symmetric.HasKey && ciphertext.Length < NoiseCipherFunction.TagSize)
            {
                return false;
            }

            if (!_symmetric.DecryptAndHash(ciphertext, payload, out payloadLength))
            {
                return false;
            }

            _messageIndex++;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private void MixEphemeral(ReadOnlySpan<byte> publicKey)
    {
        _symmetric.MixHash(publicKey);
        if (_protocol.Pattern.IsPsk)
        {
            _symmetric.MixKey(publicKey);
        }
    }
}

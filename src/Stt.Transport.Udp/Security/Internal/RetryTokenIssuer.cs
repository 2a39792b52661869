using System.Buffers.Binary;
using System.Security.Cryptography;
using Stt.Protocol.Crypto;

namespace Stt.Transport.Udp.Security.Internal;

// Retry token (docs/protocol.md, section 15.2), 21 bytes:
//
//  0                 1                        5                                      21
// +-----------------+------------------------+--------------------------------------+
// | phase | version | time bucket (u32)      | MAC (16 bytes)                       |
// +-----------------+------------------------+--------------------------------------+
//   bit 7   bits 0-6
//
// MAC = HMAC-SHA256(secret, token[0..5] || handshake ID (8) || port (u16) || address (4 or 16))[0..16]

/// <summary>
/// Mints and checks the address-validation tokens a responder puts in RETRY (docs/protocol.md, section 15.2).
/// </summary>
/// <remarks>
/// A token binds the source address and port, the handshake ID and a time bucket under a secret only this process knows.
/// Checking one costs one HMAC-SHA256 and allocates nothing. The secret rotates every
/// <see cref="HandshakeGuardOptions.SecretRotationInterval"/>, checked lazily on use; tokens minted under the previous
/// secret stay valid. Thread-safe.
/// </remarks>
internal sealed class RetryTokenIssuer
{
    /// <summary>Length of a token on the wire.</summary>
    public const int TokenLength = 21;

    /// <summary>Length of the truncated MAC at the end of a token.</summary>
    public const int MacLength = 16;

    /// <summary>Token format version, the low seven bits of byte 0.</summary>
    public const byte FormatVersion = 0x01;

    private const byte PhaseBit = 0x80;
    private const int BucketOffset = 1;
    private const int MacOffset = 5;
    private const int MacInputLength = MacOffset + sizeof(ulong) + sizeof(ushort) + SourceAddress.MaxLength;

    private readonly TimeProvider _timeProvider;
    private readonly RandomSource _random;
    private readonly long _bucketMilliseconds;
    private readonly TimeSpan _rotationInterval;
    private RetrySecrets _secrets;

    /// <summary>Creates an issuer with a fresh random secret.</summary>
    /// <param name="options">Bucket length and rotation interval.</param>
    /// <param name="timeProvider">Clock for buckets (wall clock) and rotation (monotonic).</param>
    /// <param name="random">Source of the secrets.</param>
    public RetryTokenIssuer(HandshakeGuardOptions options, TimeProvider timeProvider, RandomSource random)
    {
        _timeProvider = timeProvider;
        _random = random;
        _bucketMilliseconds = (long)options.TokenBucketLength.TotalMilliseconds;
        _rotationInterval = options.SecretRotationInterval;
        _secrets = new RetrySecrets(0, NewSecret(), null, timeProvider.GetTimestamp());
    }

    /// <summary>Rotations so far, scheduled or forced.</summary>
    public long Generation => Volatile.Read(ref _secrets).Generation;

    /// <summary>Starts a new secret now: tokens of the current one stay valid, tokens of the one before it no longer do.</summary>
    public void RotateSecret()
    {
        RetrySecrets secrets = Volatile.Read(ref _secrets);
        Rotate(secrets, _timeProvider.GetTimestamp());
    }

    /// <summary>Writes a token for <paramref name="address"/>, <paramref name="port"/> and <paramref name="handshakeId"/>.</summary>
    /// <param name="address">4-byte IPv4 or 16-byte IPv6 source address, as <see cref="SourceAddress.TryRead"/> gives it.</param>
    /// <param name="port">Source port.</param>
    /// <param name="handshakeId">The handshake ID of the HELLO being answered.</param>
    /// <param name="destination">Receives exactly <see cref="TokenLength"/> bytes.</param>
    public void Mint(ReadOnlySpan<byte> address, ushort port, ulong handshakeId, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, TokenLength, nameof(destination));
        RetrySecrets secrets = CurrentSecrets();
        Span<byte> token = destination[..TokenLength];
        token[0] = (byte)(FormatVersion | ((secrets.Generation & 1) != 0 ? PhaseBit : 0));
        BinaryPrimitives.WriteUInt32BigEndian(token[BucketOffset..], CurrentBucket());
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secrets.Current, token[..MacOffset], address, port, handshakeId, mac);
        mac[..MacLength].CopyTo(token[MacOffset..]);
    }

    /// <summary>Checks a token received in a COOKIE_HELLO.</summary>
    /// <param name="address">The COOKIE_HELLO's source address, as <see cref="SourceAddress.TryRead"/> gives it.</param>
    /// <param name="port">Its source port.</param>
    /// <param name="handshakeId">Its handshake ID.</param>
    /// <param name="token">The token bytes.</param>
    /// <returns>True when this process minted the token, for this address, port and handshake ID, in the current or the
    /// previous time bucket, under the current or the previous secret.</returns>
    public bool Validate(ReadOnlySpan<byte> address, ushort port, ulong handshakeId, ReadOnlySpan<byte> token)
    {
        if (token.Length != TokenLength || (token[0] & ~PhaseBit) != FormatVersion)
        {
            return false;
        }

        // Unsigned difference: a bucket from the future wraps to a huge age and is refused with the expired ones.
        uint age = CurrentBucket() - BinaryPrimitives.ReadUInt32BigEndian(token[BucketOffset..]);
        if (age > 1)
        {
            return false;
        }

        RetrySecrets secrets = CurrentSecrets();
        bool currentPhase = ((token[0] & PhaseBit) != 0) == ((secrets.Generation & 1) != 0);
        byte[]? secret = currentPhase ? secrets.Current : secrets.Previous;
        if (secret is null)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secret, token[..MacOffset], address, port, handshakeId, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..MacLength], token[MacOffset..]);
    }

    private static void ComputeMac(
        byte[] secret,
        ReadOnlySpan<byte> tokenPrefix,
        ReadOnlySpan<byte> address,
        ushort port,
        ulong handshakeId,
        Span<byte> mac)
    {
        // Fixed-length fields first and the address last, so a 4-byte and a 16-byte address can never give the same input.
        Span<byte> input = stackalloc byte[MacInputLength];
        tokenPrefix.CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[MacOffset..], handshakeId);
        BinaryPrimitives.WriteUInt16BigEndian(input[(MacOffset + sizeof(ulong))..], port);
        int addressOffset = MacOffset + sizeof(ulong) + sizeof(ushort);
        address.CopyTo(input[addressOffset..]);
        HMACSHA256.HashData(secret, input[..(addressOffset + address.Length)], mac);
    }

    private uint CurrentBucket() => (uint)(_timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / _bucketMilliseconds);

    private RetrySecrets CurrentSecrets()
    {
        RetrySecrets secrets = Volatile.Read(ref _secrets);
        long now = _timeProvider.GetTimestamp();
        return _timeProvider.GetElapsedTime(secrets.CreatedAt, now) < _rotationInterval ? secrets : Rotate(secrets, now);
    }

    // Several threads may see the interval pass at once; only the first swap wins, so one rotation happens per interval.
    private RetrySecrets Rotate(RetrySecrets seen, long now)
    {
        var next = new RetrySecrets(seen.Generation + 1, NewSecret(), seen.Current, now);
        RetrySecrets actual = Interlocked.CompareExchange(ref _secrets, next, seen);
        return ReferenceEquals(actual, seen) ? next : actual;
    }

    private byte[] NewSecret()
    {
        byte[] secret = new byte[RetrySecrets.SecretLength];
        _random.Fill(secret);
        return secret;
    }
}

using System.Net;
using Stt.Protocol.Crypto;

namespace Stt.Transport.Udp.Security.Internal;

/// <summary>
/// Decides, before any cryptography, what a UDP responder does with a datagram that opens a handshake from an unknown
/// source (docs/protocol.md, section 15.3).
/// </summary>
/// <remarks>
/// <para>Checks, in order: the datagram is exactly one HELLO or one COOKIE_HELLO (else <see cref="HandshakeAdmission.DropMalformed"/>);
/// fewer than <see cref="HandshakeGuardOptions.MaxHalfOpen"/> handshakes are half open (else
/// <see cref="HandshakeAdmission.DropHalfOpenFull"/>); the source IP has an attempt left in its rate bucket (else
/// <see cref="HandshakeAdmission.DropRateLimited"/>); a COOKIE_HELLO's token is valid (else
/// <see cref="HandshakeAdmission.DropBadToken"/>, and if it is, <see cref="HandshakeAdmission.Admit"/>); a plain HELLO is
/// admitted below <see cref="HandshakeGuardOptions.RetryThreshold"/> and answered with RETRY at or above it.</para>
/// <para>A decision costs at most one HMAC-SHA256 and one rate-table lookup; it allocates nothing and stores nothing but the
/// source's rate bucket. Thread-safe: call it from any number of receive loops.</para>
/// </remarks>
internal sealed class HandshakeGuard
{
    private readonly RetryTokenIssuer _tokens;
    private readonly SourceRateLimiter _rateLimiter;
    private readonly int _retryThreshold;
    private readonly int _maxHalfOpen;

    /// <summary>Creates a guard with a fresh random token secret and an empty rate table.</summary>
    /// <param name="options">Thresholds and limits; defaults to <see cref="HandshakeGuardOptions.Default"/>.</param>
    /// <param name="timeProvider">Clock for token buckets, secret rotation and rate limits; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="random">Source of token secrets; defaults to <see cref="RandomSource.System"/>.</param>
    /// <exception cref="ArgumentException"><see cref="HandshakeGuardOptions.RetryThreshold"/> exceeds
    /// <see cref="HandshakeGuardOptions.MaxHalfOpen"/>, or <see cref="HandshakeGuardOptions.SecretRotationInterval"/> is less
    /// than twice <see cref="HandshakeGuardOptions.TokenBucketLength"/>.</exception>
    public HandshakeGuard(HandshakeGuardOptions? options = null, TimeProvider? timeProvider = null, RandomSource? random = null)
    {
        Options = options ?? HandshakeGuardOptions.Default;
        timeProvider ??= TimeProvider.System;
        if (Options.RetryThreshold > Options.MaxHalfOpen)
        {
            throw new ArgumentException("RetryThreshold must not exceed MaxHalfOpen.", nameof(options));
        }

        // A token lives up to two buckets; a secret must stay acceptable (current, then previous) at least that long.
        if (Options.SecretRotationInterval < 2 * Options.TokenBucketLength)
        {
            throw new ArgumentException("SecretRotationInterval must be at least twice TokenBucketLength.", nameof(options));
        }

        _retryThreshold = Options.RetryThreshold;
        _maxHalfOpen = Options.MaxHalfOpen;
        _tokens = new RetryTokenIssuer(Options, timeProvider, random ?? RandomSource.System);
        _rateLimiter = new SourceRateLimiter(Options, timeProvider);
    }

    /// <summary>The settings in force.</summary>
    public HandshakeGuardOptions Options { get; }

    /// <summary>The token minter and checker; exposed for tests and for forcing a secret rotation.</summary>
    internal RetryTokenIssuer Tokens => _tokens;

    /// <summary>The per-source rate table; exposed so tests and metrics can read its size.</summary>
    internal SourceRateLimiter RateLimiter => _rateLimiter;

    /// <summary>Decides what to do with a datagram that opens a handshake from a source with no session.</summary>
    /// <param name="source">The datagram's source address as received.</param>
    /// <param name="datagram">The whole datagram.</param>
    /// <param name="halfOpenCount">Handshakes the endpoint currently holds that have not completed.</param>
    /// <param name="retryDestination">Where a RETRY is written; at least <see cref="RetryFrames.RetryLength"/> (44) bytes.</param>
    /// <param name="retryLength">Bytes of <paramref name="retryDestination"/> to send back to <paramref name="source"/> on
    /// <see cref="HandshakeAdmission.SendRetry"/>; otherwise 0.</param>
    /// <param name="hello">On <see cref="HandshakeAdmission.Admit"/>, where the HELLO frame for the session layer is in
    /// <paramref name="datagram"/> (the whole datagram, or the HELLO inside a COOKIE_HELLO); otherwise default.</param>
    /// <returns>The decision; see <see cref="HandshakeGuard"/> for the order of checks.</returns>
    /// <exception cref="ArgumentException"><paramref name="retryDestination"/> is shorter than 44 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="halfOpenCount"/> is negative.</exception>
    public HandshakeAdmission Admit(
        SocketAddress source,
        ReadOnlySpan<byte> datagram,
        int halfOpenCount,
        Span<byte> retryDestination,
        out int retryLength,
        out Range hello)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(halfOpenCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryDestination.Length, RetryFrames.RetryLength, nameof(retryDestination));
        retryLength = 0;
        hello = default;
        if (!SourceAddress.TryRead(source, out ReadOnlySpan<byte> address, out ushort port))
        {
            return HandshakeAdmission.DropMalformed;
        }

        bool wrapped = datagram.Length > 0 && datagram[0] == RetryFrames.CookieHelloType;
        ulong handshakeId;
        Range token = default;
        Range inner = 0..datagram.Length;
        if (wrapped
            ? !RetryFrames.TryUnwrapCookieHello(datagram, out handshakeId, out token, out inner)
            : !RetryFrames.IsHello(datagram, out handshakeId))
        {
            return HandshakeAdmission.DropMalformed;
        }

        if (halfOpenCount >= _maxHalfOpen)
        {
            return HandshakeAdmission.DropHalfOpenFull;
        }

        if (!_rateLimiter.TryAcquire(address))
        {
            return HandshakeAdmission.DropRateLimited;
        }

        if (wrapped)
        {
            if (!_tokens.Validate(address, port, handshakeId, datagram[token]))
            {
                return HandshakeAdmission.DropBadToken;
            }

            hello = inner;
            return HandshakeAdmission.Admit;
        }

        if (halfOpenCount < _retryThreshold)
        {
            hello = inner;
            return HandshakeAdmission.Admit;
        }

        Span<byte> newToken = stackalloc byte[RetryTokenIssuer.TokenLength];
        _tokens.Mint(address, port, handshakeId, newToken);
        retryLength = RetryFrames.WriteRetry(handshakeId, newToken, datagram.Length, retryDestination);
        return HandshakeAdmission.SendRetry;
    }
}

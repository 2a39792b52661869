namespace Stt.Transport.Udp.Security;

/// <summary>Limits that protect a UDP responder from handshake floods and reflection (docs/protocol.md, section 15).</summary>
/// <remarks>Immutable; one instance serves every handshake of an endpoint.</remarks>
public sealed record HandshakeGuardOptions
{
    /// <summary>The defaults.</summary>
    public static HandshakeGuardOptions Default { get; } = new();

    /// <summary>Half-open handshakes at which a HELLO without a token is answered with RETRY instead of a session.</summary>
    /// <remarks>
    /// Defaults to 256. 0 makes every source prove its address first, at the cost of one round trip. Must not exceed
    /// <see cref="MaxHalfOpen"/>. Security: above this count a HELLO costs the responder one HMAC and no state, so a
    /// flood from spoofed sources cannot fill the half-open table.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int RetryThreshold
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 256;

    /// <summary>Half-open handshakes at which every further HELLO, with a valid token or not, is dropped.</summary>
    /// <remarks>
    /// Defaults to 4,096. Security: the hard bound on responder state for handshakes that have not completed; only sources
    /// that proved their address can occupy the slots between <see cref="RetryThreshold"/> and this cap.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxHalfOpen
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 4096;

    /// <summary>Sustained handshake attempts (HELLO and COOKIE_HELLO) per second that one source may make.</summary>
    /// <remarks>
    /// Defaults to 20. A source is an IPv4 address, or an IPv6 address cut to <see cref="Ipv6PrefixLength"/> bits.
    /// Security: bounds how fast one address can make the responder work, and how many RETRYs a spoofed victim address
    /// receives.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1 or above 1,000,000.</exception>
    public int HandshakesPerSecondPerSource
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1_000_000);
            field = value;
        }
    } = 20;

    /// <summary>Handshake attempts one source may make at once before <see cref="HandshakesPerSecondPerSource"/> applies.</summary>
    /// <remarks>Defaults to 40.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1 or above 1,000,000.</exception>
    public int HandshakeBurstPerSource
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1_000_000);
            field = value;
        }
    } = 40;

    /// <summary>Sources the rate limiter remembers; it is rounded up to a power of two.</summary>
    /// <remarks>
    /// Defaults to 65,536 (1.5 MiB, allocated once). Must be 8 to 16,777,216. Security: the table never grows past this,
    /// however many spoofed sources send; when a slot is needed, the stalest source of its group of eight is forgotten.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Outside 8 – 16,777,216.</exception>
    public int RateLimitTableCapacity
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 8);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 24);
            field = value;
        }
    } = 65_536;

    /// <summary>Leading bits of an IPv6 source address that identify one source to the rate limiter.</summary>
    /// <remarks>
    /// Defaults to 64, the usual size of one subscriber's network. 128 limits each address on its own. Security: a host
    /// holding a /64 controls 2^64 addresses, so limiting per address would not limit it at all.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Outside 32 – 128.</exception>
    public int Ipv6PrefixLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 32);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 128);
            field = value;
        }
    } = 64;

    /// <summary>Length of one retry-token time bucket; a token is accepted in the bucket it was minted in and the next.</summary>
    /// <remarks>
    /// Defaults to 10 seconds, so a token lives between 10 and 20 seconds. Whole milliseconds, 1 second to 1 hour.
    /// Security: a shorter bucket narrows the window in which a token observed on path can be replayed from the same address.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 second – 1 hour, or not whole milliseconds.</exception>
    public TimeSpan TokenBucketLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromHours(1));
            if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The bucket length must be whole milliseconds.");
            }

            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>How long one retry-token secret is used for new tokens; the one before it is still accepted.</summary>
    /// <remarks>
    /// Defaults to 10 minutes. Must be at least twice <see cref="TokenBucketLength"/>, so a live token outlives one
    /// rotation. Security: secrets are random, held only in memory, and never leave the process.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Less than 2 seconds.</exception>
    public TimeSpan SecretRotationInterval
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(2));
            field = value;
        }
    } = TimeSpan.FromMinutes(10);
}

namespace Stt.Transport.Udp.Security.Internal;

/// <summary>
/// How many bytes an endpoint may still send to a peer whose address it has not validated: three times what the peer
/// sent, minus what was already sent (docs/protocol.md, section 15.5; RFC 9000, section 8).
/// </summary>
/// <remarks>
/// One instance per unvalidated peer. An address is validated by a COOKIE_HELLO with a valid token, or by the peer's
/// AUTH_PROOF, which it could only compute after receiving the RESPONSE at that address. Thread-safe and lock-free, so the
/// receive loop may credit while a send path consumes.
/// </remarks>
internal sealed class AmplificationBudget
{
    /// <summary>Bytes that may be sent per byte received before validation.</summary>
    public const int Factor = 3;

    private const long Unlimited = long.MaxValue;

    // Far below Unlimited, so crediting never overflows and never reaches the validated marker.
    private const long Ceiling = long.MaxValue / 2;

    private long _allowance;

    /// <summary>Bytes that may still be sent; <see cref="long.MaxValue"/> once validated.</summary>
    public long Remaining => Interlocked.Read(ref _allowance);

    /// <summary>Whether the peer's address has been validated.</summary>
    public bool IsValidated => Interlocked.Read(ref _allowance) == Unlimited;

    /// <summary>Credits a datagram received from the peer.</summary>
    /// <param name="bytes">The datagram's length.</param>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public void OnReceived(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long seen = Interlocked.Read(ref _allowance);
        while (seen != Unlimited)
        {
            long next = Math.Min(seen + ((long)bytes * Factor), Ceiling);
            long actual = Interlocked.CompareExchange(ref _allowance, next, seen);
            if (actual == seen)
            {
                return;
            }

            seen = actual;
        }
    }

    /// <summary>Takes <paramref name="bytes"/> from the budget when all of them fit; otherwise takes nothing.</summary>
    /// <param name="bytes">The length of the datagram about to be sent.</param>
    /// <returns>True when the datagram may be sent; false when it must wait for more bytes from the peer or for validation.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public bool TryConsume(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long seen = Interlocked.Read(ref _allowance);
        while (seen != Unlimited)
        {
            if (seen < bytes)
            {
                return false;
            }

            long actual = Interlocked.CompareExchange(ref _allowance, seen - bytes, seen);
            if (actual == seen)
            {
                return true;
            }

            seen = actual;
        }

        return true;
    }

    /// <summary>Lifts the limit for good: the peer proved it receives at its address.</summary>
    public void MarkValidated() => Interlocked.Exchange(ref _allowance, Unlimited);
}

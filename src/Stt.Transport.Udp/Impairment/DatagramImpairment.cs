namespace Stt.Transport.Udp.Impairment;

/// <summary>
/// Seeded, reproducible damage applied to datagrams between the socket and the sessions: loss, burst loss, reordering,
/// duplication and bit corruption. For tests and experiments only.
/// </summary>
/// <remarks>Each probability is per datagram, from 0 (never) to 1 (always). Every setting defaults to no impairment.</remarks>
public sealed record DatagramImpairment
{
    /// <summary>Seed of the pseudo-random generator, so a run can be repeated exactly.</summary>
    /// <remarks>Defaults to 1.</remarks>
    public int Seed { get; init; } = 1;

    /// <summary>Probability that a datagram is dropped on its own.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public double Loss { get; init; }

    /// <summary>Probability that a datagram starts a burst of <see cref="BurstLength"/> consecutive drops.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public double BurstLoss { get; init; }

    /// <summary>Datagrams dropped in a row once a burst starts, the first one included.</summary>
    /// <remarks>Defaults to 8.</remarks>
    public int BurstLength { get; init; } = 8;

    /// <summary>Probability that a datagram is held back by <see cref="ReorderDelay"/>, so later ones overtake it.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public double Reorder { get; init; }

    /// <summary>How long a reordered datagram is held back.</summary>
    /// <remarks>Defaults to 5 milliseconds.</remarks>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Probability that a datagram is delivered twice.</summary>
    /// <remarks>Defaults to 0. The copy arrives up to <see cref="ReorderDelay"/> later.</remarks>
    public double Duplicate { get; init; }

    /// <summary>Probability that one random bit of a datagram is flipped.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public double Corrupt { get; init; }

    /// <summary>Most datagrams held back at once; further ones are delivered without delay.</summary>
    /// <remarks>Defaults to 4096.</remarks>
    public int MaxHeldDatagrams { get; init; } = 4096;

    internal void Validate()
    {
        ValidateProbability(Loss, nameof(Loss));
        ValidateProbability(BurstLoss, nameof(BurstLoss));
        ValidateProbability(Reorder, nameof(Reorder));
        ValidateProbability(Duplicate, nameof(Duplicate));
        ValidateProbability(Corrupt, nameof(Corrupt));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BurstLength, nameof(BurstLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderDelay, TimeSpan.Zero, nameof(ReorderDelay));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxHeldDatagrams, nameof(MaxHeldDatagrams));
    }

    private static void ValidateProbability(double value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 0.0, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1.0, name);
    }
}

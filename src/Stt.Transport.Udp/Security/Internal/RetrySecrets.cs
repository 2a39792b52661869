namespace Stt.Transport.Udp.Security.Internal;

/// <summary>One generation of retry-token secrets: the one that mints and the one before it, which still validates.</summary>
/// <remarks>Immutable, so readers on any thread see a consistent pair; rotation publishes a new instance.</remarks>
internal sealed class RetrySecrets
{
    /// <summary>Length of each HMAC-SHA256 key.</summary>
    public const int SecretLength = 32;

    public RetrySecrets(long generation, byte[] current, byte[]? previous, long createdAt)
    {
        Generation = generation;
        Current = current;
        Previous = previous;
        CreatedAt = createdAt;
    }

    /// <summary>Counts rotations from 0; its parity is the phase bit of the tokens <see cref="Current"/> mints.</summary>
    public long Generation { get; }

    /// <summary>The secret new tokens are minted with.</summary>
    public byte[] Current { get; }

    /// <summary>The secret of generation <see cref="Generation"/> − 1, or null in generation 0.</summary>
    public byte[]? Previous { get; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value when this generation began.</summary>
    public long CreatedAt { get; }
}

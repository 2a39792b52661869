namespace Stt.Protocol.Crypto;

/// <summary>
/// Source of the random bytes the protocol draws: handshake IDs, nonces and ephemeral private keys.
/// </summary>
/// <remarks>
/// Production code uses <see cref="System"/>, the operating system's CSPRNG. Tests and test-vector generators
/// substitute a deterministic source; nothing else should. Implementations must be thread-safe when shared.
/// </remarks>
public abstract class RandomSource
{
    /// <summary>The operating system's cryptographically secure generator.</summary>
    public static RandomSource System { get; } = new SystemRandomSource();

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public abstract void Fill(Span<byte> destination);
}

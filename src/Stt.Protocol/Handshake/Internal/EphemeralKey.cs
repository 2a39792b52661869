using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stt.Protocol.Handshake.Internal;

/// <summary>A 32-byte X25519 public key as a dictionary key for <see cref="HelloReplayCache"/>.</summary>
/// <remarks>Hashing goes through <see cref="HashCode"/>, which is seeded per process, so peers cannot aim for collisions.</remarks>
internal readonly struct EphemeralKey : IEquatable<EphemeralKey>
{
    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;

    public EphemeralKey(ReadOnlySpan<byte> publicKey)
    {
        Debug.Assert(publicKey.Length == 32);
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(publicKey);
        _word0 = words[0];
        _word1 = words[1];
        _word2 = words[2];
        _word3 = words[3];
    }

    public bool Equals(EphemeralKey other) =>
        _word0 == other._word0 && _word1 == other._word1 && _word2 == other._word2 && _word3 == other._word3;

    public override bool Equals(object? obj) => obj is EphemeralKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_word0, _word1, _word2, _word3);
}

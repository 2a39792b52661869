using System.Diagnostics;
using System.Runtime.InteropServices;

using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>Noise "SHA256" through libsodium's incremental SHA-256 and HMAC-SHA-256.</summary>
/// <remarks>
/// libsodium is used rather than .NET's one-shot APIs because the handshake hashes short inputs in two parts: measured here,
/// HMAC-SHA-256 of 33 bytes costs ~1.2 us through libsodium and ~2.1 us through <c>HMACSHA256.HashData</c> (OpenSSL call setup),
/// and the incremental state needs no concatenation buffer.
/// </remarks>
internal sealed class Sha256HashFunction : NoiseHashFunction
{
    public Sha256HashFunction()
    {
        Sodium.EnsureInitialized();
        Debug.Assert(Sodium.crypto_hash_sha256_statebytes() <= Sodium.MaxStateSize);
        Debug.Assert(Sodium.crypto_auth_hmacsha256_statebytes() <= Sodium.MaxStateSize);
    }

    public override string Name => "SHA256";

    public override int HashLength => 32;

    public override void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        Debug.Assert(destination.Length >= 32);
        SodiumState state = default;
        ref byte s = ref MemoryMarshal.GetReference(state.Bytes);
        Sodium.Check(Sodium.crypto_hash_sha256_init(ref s));
        if (!first.IsEmpty)
        {
            Sodium.Check(Sodium.crypto_hash_sha256_update(ref s, in MemoryMarshal.GetReference(first), (ulong)first.Length));
        }

        if (!second.IsEmpty)
        {
            Sodium.Check(Sodium.crypto_hash_sha256_update(ref s, in MemoryMarshal.GetReference(second), (ulong)second.Length));
        }

        Sodium.Check(Sodium.crypto_hash_sha256_final(ref s, ref MemoryMarshal.GetReference(destination)));
    }

    public override void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        Debug.Assert(destination.Length >= 32);
        SodiumState state = default;
        Span<byte> stateBytes = state.Bytes;
        ref byte s = ref MemoryMarshal.GetReference(stateBytes);
        Sodium.Check(Sodium.crypto_auth_hmacsha256_init(ref s, in Sodium.In(key), (nuint)key.Length));
        if (!first.IsEmpty)
        {
            Sodium.Check(Sodium.crypto_auth_hmacsha256_update(ref s, in MemoryMarshal.GetReference(first), (ulong)first.Length));
        }

        if (!second.IsEmpty)
        {
            Sodium.Check(Sodium.crypto_auth_hmacsha256_update(ref s, in MemoryMarshal.GetReference(second), (ulong)second.Length));
        }

        Sodium.Check(Sodium.crypto_auth_hmacsha256_final(ref s, ref MemoryMarshal.GetReference(destination)));

        // The state holds the keyed inner and outer hash states.
        stateBytes.Clear();
    }
}

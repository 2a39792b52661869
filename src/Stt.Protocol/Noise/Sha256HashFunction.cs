using System.Diagnostics;

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

    protected override int HashInit(ref byte state) => Sodium.crypto_hash_sha256_init(ref state);

    protected override int HashUpdate(ref byte state, in byte input, ulong length) =>
        Sodium.crypto_hash_sha256_update(ref state, in input, length);

    protected override int HashFinal(ref byte state, ref byte output) => Sodium.crypto_hash_sha256_final(ref state, ref output);

    protected override int HmacInit(ref byte state, in byte key, nuint keyLength) =>
        Sodium.crypto_auth_hmacsha256_init(ref state, in key, keyLength);

    protected override int HmacUpdate(ref byte state, in byte input, ulong length) =>
        Sodium.crypto_auth_hmacsha256_update(ref state, in input, length);

    protected override int HmacFinal(ref byte state, ref byte output) => Sodium.crypto_auth_hmacsha256_final(ref state, ref output);
}

using System.Diagnostics;
using System.Security.Cryptography;
using Stt.Protocol.Noise;

namespace Stt.Protocol.Handshake.Internal;

/// <summary>The first data secrets of a session (docs/protocol.md, section 7).</summary>
/// <remarks>
/// <code>
/// master        = HKDF-Extract(salt = h, ikm = ck)
/// secret[i2r,0] = HKDF-Expand(master, "STT/1 data i2r", 32)
/// secret[r2i,0] = HKDF-Expand(master, "STT/1 data r2i", 32)
/// </code>
/// An HKDF-Expand of one hash block is a single HMAC of info ‖ 0x01.
/// </remarks>
internal static class SessionKeySchedule
{
    public const int SecretLength = 32;

    public static void DeriveDataSecrets(
        ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> handshakeHash, Span<byte> initiatorToResponder, Span<byte> responderToInitiator)
    {
        Debug.Assert(chainingKey.Length == 32 && handshakeHash.Length == 32);
        NoiseHashFunction sha256 = NoiseHashFunction.Sha256;
        Span<byte> master = stackalloc byte[32];
        sha256.Hmac(handshakeHash, chainingKey, default, master);
        sha256.Hmac(master, "STT/1 data i2r"u8, [0x01], initiatorToResponder);
        sha256.Hmac(master, "STT/1 data r2i"u8, [0x01], responderToInitiator);
        CryptographicOperations.ZeroMemory(master);
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>
/// A Noise hash function (Noise specification rev. 34, section 4.3) with its HMAC and the Noise HKDF built on it.
/// </summary>
/// <remarks>
/// Inputs come in two parts so that <c>MixHash(h ‖ data)</c> and the HKDF's <c>output ‖ counter</c> need no concatenation
/// buffer: the implementations feed both parts to an incremental libsodium state on the stack.
/// </remarks>
internal abstract class NoiseHashFunction
{
    /// <summary>Largest <see cref="HashLength"/> of the supported functions.</summary>
    public const int MaxHashLength = 64;

    /// <summary>SHA-256: 32-byte output.</summary>
    public static NoiseHashFunction Sha256 { get; } = new Sha256HashFunction();

    /// <summary>SHA-512: 64-byte output.</summary>
    public static NoiseHashFunction Sha512 { get; } = new Sha512HashFunction();

    /// <summary>The name used in Noise protocol names ("SHA256", "SHA512").</summary>
    public abstract string Name { get; }

    /// <summary>HASHLEN: output length in bytes.</summary>
    public abstract int HashLength { get; }

    /// <summary>Writes HASH(<paramref name="first"/> ‖ <paramref name="second"/>) to <paramref name="destination"/>, which may alias either input.</summary>
    public void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        Debug.Assert(destination.Length >= HashLength);
        SodiumState state = default;
        ref byte s = ref MemoryMarshal.GetReference(state.Bytes);
        Sodium.Check(HashInit(ref s));
        if (!first.IsEmpty)
        {
            Sodium.Check(HashUpdate(ref s, in MemoryMarshal.GetReference(first), (ulong)first.Length));
        }

        if (!second.IsEmpty)
        {
            Sodium.Check(HashUpdate(ref s, in MemoryMarshal.GetReference(second), (ulong)second.Length));
        }

        Sodium.Check(HashFinal(ref s, ref MemoryMarshal.GetReference(destination)));
    }

    /// <summary>
    /// Writes HMAC-HASH(<paramref name="key"/>, <paramref name="first"/> ‖ <paramref name="second"/>) to <paramref name="destination"/>,
    /// which may alias the data inputs (not the key).
    /// </summary>
    public void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        Debug.Assert(destination.Length >= HashLength);
        SodiumState state = default;
        Span<byte> stateBytes = state.Bytes;
        ref byte s = ref MemoryMarshal.GetReference(stateBytes);
        Sodium.Check(HmacInit(ref s, in Sodium.In(key), (nuint)key.Length));
        if (!first.IsEmpty)
        {
            Sodium.Check(HmacUpdate(ref s, in MemoryMarshal.GetReference(first), (ulong)first.Length));
        }

        if (!second.IsEmpty)
        {
            Sodium.Check(HmacUpdate(ref s, in MemoryMarshal.GetReference(second), (ulong)second.Length));
        }

        Sodium.Check(HmacFinal(ref s, ref MemoryMarshal.GetReference(destination)));

        // The state holds the keyed inner and outer hash states.
        stateBytes.Clear();
    }

    /// <summary>
    /// Noise HKDF: two or three outputs of <see cref="HashLength"/> bytes each from the chaining key and input key material.
    /// Pass an empty <paramref name="output3"/> for two outputs. <paramref name="output1"/> may alias <paramref name="chainingKey"/>.
    /// </summary>
    public void Hkdf(
        ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2, Span<byte> output3)
    {
        int length = HashLength;
        Debug.Assert(output1.Length == length && output2.Length == length && (output3.IsEmpty || output3.Length == length));
        Span<byte> tempKey = stackalloc byte[MaxHashLength];
        tempKey = tempKey[..length];
        Hmac(chainingKey, inputKeyMaterial, default, tempKey);
        Hmac(tempKey, [0x01], default, output1);
        Hmac(tempKey, output1, [0x02], output2);
        if (!output3.IsEmpty)
        {
            Hmac(tempKey, output2, [0x03], output3);
        }

        CryptographicOperations.ZeroMemory(tempKey);
    }

    // libsodium's incremental hash and HMAC entry points for this function; each returns 0 on success.
    protected abstract int HashInit(ref byte state);

    protected abstract int HashUpdate(ref byte state, in byte input, ulong length);

    protected abstract int HashFinal(ref byte state, ref byte output);

    protected abstract int HmacInit(ref byte state, in byte key, nuint keyLength);

    protected abstract int HmacUpdate(ref byte state, in byte input, ulong length);

    protected abstract int HmacFinal(ref byte state, ref byte output);
}

namespace Stt.Protocol.Noise;

/// <summary>
/// A concrete Noise protocol: the NNpsk0 pattern with DH 25519 and one cipher and hash function,
/// named <c>Noise_NNpsk0_25519_&lt;cipher&gt;_&lt;hash&gt;</c>.
/// </summary>
internal sealed class NoiseProtocol
{
    private const string DhName = "25519";
    private readonly byte[] _initialHash;

    private NoiseProtocol(NoisePattern pattern, NoiseCipherFunction cipher, NoiseHashFunction hash)
    {
        Pattern = pattern;
        Cipher = cipher;
        Hash = hash;
        Name = $"Noise_{pattern.Name}_{DhName}_{cipher.Name}_{hash.Name}";

        // InitializeSymmetric: h = protocol name padded with zeros to HASHLEN, or HASH(name) when it is longer.
        byte[] name = System.Text.Encoding.ASCII.GetBytes(Name);
        _initialHash = new byte[hash.HashLength];
        if (name.Length <= hash.HashLength)
        {
            name.CopyTo(_initialHash, 0);
        }
        else
        {
            hash.Hash(name, default, _initialHash);
        }
    }

    /// <summary>STT version 1's protocol: <c>Noise_NNpsk0_25519_AESGCM_SHA256</c> (docs/protocol.md, section 6).</summary>
    public static NoiseProtocol SttV1 { get; } = new(NoisePattern.NNpsk0, NoiseCipherFunction.AesGcm, NoiseHashFunction.Sha256);

    /// <summary>The full protocol name.</summary>
    public string Name { get; }

    /// <summary>The handshake pattern.</summary>
    public NoisePattern Pattern { get; }

    /// <summary>The cipher function.</summary>
    public NoiseCipherFunction Cipher { get; }

    /// <summary>The hash function.</summary>
    public NoiseHashFunction Hash { get; }

    /// <summary>The value of <c>h</c> (and <c>ck</c>) after InitializeSymmetric, HASHLEN bytes.</summary>
    public ReadOnlySpan<byte> InitialHash => _initialHash;

    /// <summary>Parses a protocol name such as <c>Noise_NNpsk0_25519_ChaChaPoly_SHA512</c>.</summary>
    /// <exception cref="ArgumentException">The name is not NNpsk0 over 25519 with a supported cipher and hash.</exception>
    public static NoiseProtocol Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string[] parts = name.Split('_');
        if (parts.Length != 5 || parts[0] != "Noise" || parts[1] != NoisePattern.NNpsk0.Name || parts[2] != DhName)
        {
            throw new ArgumentException($"Unsupported Noise protocol '{name}': only Noise_NNpsk0_25519_* is implemented.", nameof(name));
        }

        NoiseCipherFunction cipher = parts[3] switch
        {
            "AESGCM" => NoiseCipherFunction.AesGcm,
            "ChaChaPoly" => NoiseCipherFunction.ChaChaPoly,
            _ => throw new ArgumentException($"Unsupported Noise cipher '{parts[3]}' in '{name}'.", nameof(name)),
        };
        NoiseHashFunction hash = parts[4] switch
        {
            "SHA256" => NoiseHashFunction.Sha256,
            "SHA512" => NoiseHashFunction.Sha512,
            _ => throw new ArgumentException($"Unsupported Noise hash '{parts[4]}' in '{name}'.", nameof(name)),
        };
        return cipher == NoiseCipherFunction.AesGcm && hash == NoiseHashFunction.Sha256
            ? SttV1
            : new NoiseProtocol(NoisePattern.NNpsk0, cipher, hash);
    }
}

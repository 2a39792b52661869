namespace Stt.Protocol.Noise;

/// <summary>The message-pattern tokens this implementation supports (Noise specification rev. 34, sections 7 and 9).</summary>
internal enum NoiseToken : byte
{
    /// <summary>Ephemeral public key, sent in the clear; in psk handshakes also mixed into the key.</summary>
    E,

    /// <summary>DH between the two ephemeral keys.</summary>
    Ee,

    /// <summary>Mixes the pre-shared key (MixKeyAndHash).</summary>
    Psk,
}

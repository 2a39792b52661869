namespace Stt.Protocol.Noise;

/// <summary>
/// A Noise handshake pattern without pre-messages, as a list of messages of tokens. STT uses only <see cref="NNpsk0"/>.
/// </summary>
internal sealed class NoisePattern
{
    private NoisePattern(string name, NoiseToken[][] messages)
    {
        Name = name;
        Messages = messages;
        IsPsk = Array.Exists(messages, m => Array.IndexOf(m, NoiseToken.Psk) >= 0);
    }

    /// <summary>
    /// NNpsk0 (Noise section 9.4):
    /// <code>
    /// -> psk, e
    /// &lt;- e, ee
    /// </code>
    /// </summary>
    public static NoisePattern NNpsk0 { get; } = new("NNpsk0", [[NoiseToken.Psk, NoiseToken.E], [NoiseToken.E, NoiseToken.Ee]]);

    /// <summary>Pattern name as it appears in protocol names.</summary>
    public string Name { get; }

    /// <summary>The handshake messages; even indexes are sent by the initiator.</summary>
    public IReadOnlyList<NoiseToken[]> Messages { get; }

    /// <summary>Whether the pattern has a <c>psk</c> token, so that <c>e</c> tokens also call MixKey.</summary>
    public bool IsPsk { get; }
}

using Stt.Protocol.Identity;
using Stt.Transport.Udp;
using Stt.Transport.WebSockets;

namespace Stt.Client;

/// <summary>How <see cref="SttClient.ConnectAsync(Uri, SttClientOptions, CancellationToken)"/> connects.</summary>
/// <remarks>The identity and shared seed stay owned by the caller, who disposes them after the client.</remarks>
public sealed class SttClientOptions
{
    /// <summary>The seed shared with the node (required). Owned by the caller.</summary>
    public required SharedSeed SharedSeed { get; init; }

    /// <summary>This client's node identity; null makes the client create (and own) a fresh random one.</summary>
    public NodeIdentity? Identity { get; init; }

    /// <summary>Settings for <c>stt+udp://</c> connections; null uses <see cref="UdpTransportOptions.Default"/>.</summary>
    public UdpTransportOptions? Udp { get; init; }

    /// <summary>Settings for <c>ws://</c> and <c>wss://</c> connections; null uses <see cref="WebSocketTransportOptions.Default"/>.</summary>
    public WebSocketTransportOptions? WebSocket { get; init; }

    /// <summary>The session clock; null uses <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>
    /// Reads the shared seed a node writes to its <c>shared.seed</c> file: hex text (either case), surrounding
    /// whitespace ignored. The returned options own a new <see cref="SharedSeed"/> that the caller disposes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>Options carrying the seed.</returns>
    /// <exception cref="FormatException">The file is not hex text.</exception>
    /// <exception cref="ArgumentException">The seed is shorter than <see cref="SharedSeed.MinimumSeedLength"/> bytes.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SttClientOptions FromSharedSeedFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text = File.ReadAllText(path).Trim();
        byte[] seed = Convert.FromHexString(text);
        try
        {
            return new SttClientOptions { SharedSeed = new SharedSeed(seed) };
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }
    }
}

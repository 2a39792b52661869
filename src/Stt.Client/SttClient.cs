using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Stt.Protocol.Identity;
using Stt.Transport;
using Stt.Transport.Udp;
using Stt.Transport.WebSockets;

namespace Stt.Client;

/// <summary>
/// A client of an STT streaming node: one session, over UDP or WebSocket, on which it publishes to and subscribes to
/// live channels and fetches, uploads and lists verified content (docs/distribution.md). Every request runs on its
/// own stream, so requests may run concurrently.
/// </summary>
/// <remarks>
/// The walkthrough, in short:
/// <code>
/// await using SttClient client = await SttClient.ConnectAsync(new Uri("stt+udp://node.example:4433"), options);
/// await foreach (ChannelMessage message in client.SubscribeAsync("news/live")) { ... }
/// </code>
/// A request that fails on its stream throws <see cref="DistributionException"/> (or <see cref="ContentIntegrityException"/>
/// for content that does not match its hashes) and leaves the session usable; a closed session throws
/// <see cref="SessionClosedException"/> from every request.
/// </remarks>
public sealed partial class SttClient : IAsyncDisposable
{
    /// <summary>The URI scheme of UDP nodes: <c>stt+udp://host:port</c>.</summary>
    public const string UdpScheme = "stt+udp";

    private readonly SttSession _session;
    private readonly UdpEndpoint? _endpoint;
    private readonly NodeIdentity? _ownedIdentity;
    private readonly SharedSeed? _ownedSeed;
    private int _disposed;

    private SttClient(SttSession session, UdpEndpoint? endpoint, NodeIdentity? ownedIdentity, SharedSeed? ownedSeed)
    {
        _session = session;
        _endpoint = endpoint;
        _ownedIdentity = ownedIdentity;
        _ownedSeed = ownedSeed;
    }

    /// <summary>The session, for raw access: open your own streams on it. Disposing the client closes it.</summary>
    public SttSession Session => _session;

    /// <summary>The node's ID, proven in the handshake.</summary>
    public NodeId PeerNodeId => _session.PeerNodeId;

    /// <summary>The transport's short name: <c>udp</c> or <c>websocket</c>.</summary>
    public string TransportName => _session.TransportName;

    /// <summary>
    /// Connects to a node. The scheme picks the transport: <c>stt+udp://host:port</c> resolves the host with DNS and
    /// connects from a UDP endpoint the client owns, bound to an ephemeral port of the address's family;
    /// <c>ws://host:port/path</c> and <c>wss://...</c> connect over a WebSocket.
    /// </summary>
    /// <param name="node">The node's address.</param>
    /// <param name="options">Identity, shared seed and transport settings; the caller keeps ownership of the identity and seed.</param>
    /// <param name="ct">Abandons the connection attempt.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentException">The scheme is not <c>stt+udp</c>, <c>ws</c> or <c>wss</c>, or a UDP URI has no port.</exception>
    /// <exception cref="SocketException">The host name does not resolve, or the socket cannot be bound.</exception>
    /// <exception cref="SessionClosedException">The handshake failed or timed out.</exception>
    public static Task<SttClient> ConnectAsync(Uri node, SttClientOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.SharedSeed, nameof(options));
        return ConnectCoreAsync(node, options, ownedSeed: null, ct);
    }

    /// <summary>
    /// Connects to a node with a fresh random identity and the given shared seed bytes (see
    /// <see cref="ConnectAsync(Uri, SttClientOptions, CancellationToken)"/>).
    /// </summary>
    /// <param name="node">The node's address.</param>
    /// <param name="sharedSeed">The seed shared with the node: at least 32 random bytes. Copied; the caller may clear it.</param>
    /// <param name="ct">Abandons the connection attempt.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentException">The URI is not supported, or the seed is too short.</exception>
    /// <exception cref="SessionClosedException">The handshake failed or timed out.</exception>
    public static async Task<SttClient> ConnectAsync(Uri node, byte[] sharedSeed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(sharedSeed);
        var seed = new SharedSeed(sharedSeed);
        try
        {
            return await ConnectCoreAsync(node, new SttClientOptions { SharedSeed = seed }, seed, ct).ConfigureAwait(false);
        }
        catch
        {
            seed.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Splits a node URI into its transport and, for UDP, host and port, without connecting.
    /// </summary>
    /// <param name="node">The URI.</param>
    /// <param name="host">The host (brackets of an IPv6 literal removed).</param>
    /// <param name="port">The port.</param>
    /// <returns>True for <c>stt+udp</c>, false for <c>ws</c>/<c>wss</c>.</returns>
    /// <exception cref="ArgumentException">Any other scheme, a relative URI, or a UDP URI without a port.</exception>
    public static bool ParseNodeUri(Uri node, out string host, out int port)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!node.IsAbsoluteUri)
        {
            throw new ArgumentException("The node URI must be absolute.", nameof(node));
        }

        host = node.IdnHost;
        port = node.Port;
        if (string.Equals(node.Scheme, UdpScheme, StringComparison.OrdinalIgnoreCase))
        {
            if (port is <= 0 or > 65535)
            {
                throw new ArgumentException($"A {UdpScheme} URI needs an explicit port: {UdpScheme}://host:port.", nameof(node));
            }

            if (host.Length == 0)
            {
                throw new ArgumentException($"A {UdpScheme} URI needs a host.", nameof(node));
            }

            return true;
        }

        if (string.Equals(node.Scheme, Uri.UriSchemeWs, StringComparison.OrdinalIgnoreCase)
            || string.Equals(node.Scheme, Uri.UriSchemeWss, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new ArgumentException($"Unsupported node URI scheme '{node.Scheme}': use {UdpScheme}://, ws:// or wss://.", nameof(node));
    }

    /// <summary>Closes the session gracefully and frees the UDP endpoint and any identity or seed the client created.</summary>
    /// <returns>Completes once the session is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _session.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            if (_endpoint is not null)
            {
                await _endpoint.DisposeAsync().ConfigureAwait(false);
            }

            _ownedIdentity?.Dispose();
            _ownedSeed?.Dispose();
        }
    }

    private static async Task<SttClient> ConnectCoreAsync(Uri node, SttClientOptions options, SharedSeed? ownedSeed, CancellationToken ct)
    {
        bool udp = ParseNodeUri(node, out string host, out int port);
        NodeIdentity? ownedIdentity = null;
        NodeIdentity identity = options.Identity ?? (ownedIdentity = CreateRandomIdentity());
        try
        {
            if (!udp)
            {
                WebSocketSession webSocket = await WebSocketSession.ConnectAsync(
                    node, identity, options.SharedSeed, options.WebSocket, options.TimeProvider, ct).ConfigureAwait(false);
                return new SttClient(webSocket, null, ownedIdentity, ownedSeed);
            }

            IPAddress address = await ResolveAsync(host, ct).ConfigureAwait(false);
            IPAddress any = address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            var endpoint = new UdpEndpoint(new IPEndPoint(any, 0), identity, options.SharedSeed, options.Udp, options.TimeProvider);
            try
            {
                UdpSession session = await endpoint.ConnectAsync(new IPEndPoint(address, port), ct).ConfigureAwait(false);
                return new SttClient(session, endpoint, ownedIdentity, ownedSeed);
            }
            catch
            {
                await endpoint.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            ownedIdentity?.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return literal;
        }

        IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        foreach (IPAddress address in addresses)
        {
            if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                return address;
            }
        }

        throw new SocketException((int)SocketError.HostNotFound);
    }

    private static NodeIdentity CreateRandomIdentity()
    {
        Span<byte> seed = stackalloc byte[NodeIdentity.MinimumSeedLength];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return new NodeIdentity(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}

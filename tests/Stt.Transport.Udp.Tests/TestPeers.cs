using System.Net;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;

namespace Stt.Transport.Udp.Tests;

/// <summary>Identities, a shared seed and loopback endpoints for the socket tests.</summary>
public sealed class TestPeers : IAsyncDisposable
{
    public static readonly byte[] SharedSeedBytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray();

    private readonly List<UdpEndpoint> _endpoints = [];

    public NodeIdentity ClientIdentity { get; } = new(Enumerable.Repeat((byte)0xA1, 32).ToArray());

    public NodeIdentity ServerIdentity { get; } = new(Enumerable.Repeat((byte)0xB2, 32).ToArray());

    public SharedSeed Seed { get; } = new(SharedSeedBytes);

    public static UdpTransportOptions Options(int budget = 1200, SessionOptions? session = null) => new()
    {
        DatagramBudget = budget,
        ReceiveBufferSize = 4 << 20,
        SendBufferSize = 4 << 20,
        Session = session ?? SessionOptions.Default,
    };

    public UdpEndpoint Server(UdpTransportOptions? options = null) => Add(new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), ServerIdentity, Seed, options ?? Options()));

    public UdpEndpoint Client(UdpTransportOptions? options = null) => Add(new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, 0), ClientIdentity, Seed, options ?? Options()));

    public static CancellationToken Timeout(TimeSpan limit)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Xunit.TestContext.Current.CancellationToken);
        cts.CancelAfter(limit);
        return cts.Token;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (UdpEndpoint endpoint in _endpoints)
        {
            await endpoint.DisposeAsync();
        }

        ClientIdentity.Dispose();
        ServerIdentity.Dispose();
        Seed.Dispose();
    }

    private UdpEndpoint Add(UdpEndpoint endpoint)
    {
        _endpoints.Add(endpoint);
        return endpoint;
    }
}

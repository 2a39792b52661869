using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stt.Protocol.Identity;
using Stt.Server.Hosting;
using Xunit;

namespace Stt.Server.Tests.Node;

/// <summary>
/// A real node in this process: Kestrel on 127.0.0.1 with an ephemeral port, the UDP endpoint on another, a
/// temporary data folder, and fresh seeds given through configuration.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private TestNode(WebApplication app, string dataDirectory, bool ownsDirectory, byte[] sharedSeed)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        SharedSeedBytes = sharedSeed;
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public byte[] SharedSeedBytes { get; }

    public Uri HttpAddress { get; private set; } = null!;

    public Uri WebSocketUri => new($"ws://{HttpAddress.Authority}/stt");

    public IPEndPoint UdpEndPoint { get; private set; } = null!;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Starts a node; settings are extra <c>key=value</c> configuration (e.g. <c>Stt:Channels:Policy=Disconnect</c>).</summary>
    public static async Task<TestNode> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? dataDirectory = null, byte[]? sharedSeed = null, byte[]? nodeSeed = null)
    {
        bool owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("stt-node-").FullName;
        sharedSeed ??= RandomNumberGenerator.GetBytes(32);
        nodeSeed ??= RandomNumberGenerator.GetBytes(32);
        var config = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Stt:DataDirectory"] = dataDirectory,
            ["Stt:NodeSeed"] = Convert.ToHexString(nodeSeed),
            ["Stt:SharedSeed"] = Convert.ToHexString(sharedSeed),
            ["Stt:Udp:Port"] = "0",
            ["Stt:ShutdownTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        if (settings is not null)
        {
            foreach (KeyValuePair<string, string?> pair in settings)
            {
                config[pair.Key] = pair.Value;
            }
        }

        WebApplication app = NodeHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var node = new TestNode(app, dataDirectory, owns, sharedSeed);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        node.HttpAddress = new Uri(address);
        node.UdpEndPoint = (IPEndPoint)await app.Services.GetRequiredService<UdpNodeService>().LocalEndPoint;
        return node;
    }

    public SharedSeed CreateSharedSeed() => new(SharedSeedBytes);

    public async Task StopAsync()
    {
        await App.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and disposed by the test.
        }

        await App.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}

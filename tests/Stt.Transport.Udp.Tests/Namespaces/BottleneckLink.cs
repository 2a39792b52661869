using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Stt.Transport.Udp.Tests.Namespaces;

/// <summary>
/// Two network namespaces joined by a veth pair whose ends each send through a token bucket filter, so traffic between
/// them meets a real bottleneck queue. The /30 exists only inside the two namespaces: nothing is routed to or from the
/// host's own interfaces. Disposal deletes both namespaces, which also deletes the veth pair.
/// </summary>
public sealed class BottleneckLink : IAsyncDisposable
{
    /// <summary>Rate of each direction, in bits per second (tbf <c>rate 20mbit</c>).</summary>
    public const long RateBitsPerSecond = 20_000_000;

    /// <summary>Longest a packet may wait in the tbf queue (tbf <c>latency 50ms</c>, which sizes the queue).</summary>
    public static readonly TimeSpan QueueLatency = TimeSpan.FromMilliseconds(50);

    /// <summary>The bucket size (tbf <c>burst 32kbit</c>), in bytes: tc reads size units in powers of 1024.</summary>
    public const int BurstBytes = 32 * 1024 / 8;

    /// <summary>
    /// Longest a packet can wait in the tbf queue. tbf turns <c>latency</c> into a byte limit of rate × latency + burst,
    /// so a full queue drains in <see cref="QueueLatency"/> plus the burst's own transmission time.
    /// </summary>
    public static readonly TimeSpan MaxQueueingDelay = QueueLatency + TimeSpan.FromSeconds(BurstBytes * 8.0 / RateBitsPerSecond);

    public static readonly IPAddress AddressA = IPAddress.Parse("10.203.7.1");

    public static readonly IPAddress AddressB = IPAddress.Parse("10.203.7.2");

    private const string DeviceA = "stt-a";
    private const string DeviceB = "stt-b";

    private static int _instances;

    private readonly List<NetworkNamespace> _created = [];
    private readonly ITestOutputHelper? _output;

    private BottleneckLink(string suffix, ITestOutputHelper? output)
    {
        A = new NetworkNamespace("stt-a-" + suffix);
        B = new NetworkNamespace("stt-b-" + suffix);
        _output = output;
    }

    public NetworkNamespace A { get; }

    public NetworkNamespace B { get; }

    /// <summary>Builds the namespaces, link, addresses and qdiscs, or fails with a message saying what is missing.</summary>
    public static async Task<BottleneckLink> CreateAsync(ITestOutputHelper? output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("The network namespace test needs Linux; this is " + System.Runtime.InteropServices.RuntimeInformation.OSDescription + ".");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "The network namespace test needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to create namespaces, veth links and qdiscs; this process is not privileged. CI runs it as root.");
        }

        await RequireToolAsync("ip", cancellationToken);
        await RequireToolAsync("tc", cancellationToken);

        string suffix = Environment.ProcessId + "-" + Interlocked.Increment(ref _instances);
        var link = new BottleneckLink(suffix, output);
        try
        {
            await link.BuildAsync(cancellationToken);
        }
        catch
        {
            await link.DisposeAsync();
            throw;
        }

        return link;
    }

    public async ValueTask DisposeAsync()
    {
        var failures = new List<string>();
        foreach (NetworkNamespace ns in _created)
        {
            try
            {
                HostCommand.Outcome outcome = await HostCommand.TryRunAsync("ip", ["netns", "delete", ns.Name]);
                if (outcome.ExitCode != 0)
                {
                    failures.Add(outcome.Describe());
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                failures.Add(e.Message);
            }
        }

        _created.Clear();
        if (failures.Count > 0)
        {
            string message = "Could not remove the test's network namespaces: " + string.Join("; ", failures);
            _output?.WriteLine(message);
            throw new InvalidOperationException(message);
        }
    }

    private static async Task RequireToolAsync(string tool, CancellationToken cancellationToken)
    {
        try
        {
            await HostCommand.RunAsync(tool, ["-V"], cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"The network namespace test needs iproute2's `{tool}` on the PATH: {e.Message}", e);
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        foreach (NetworkNamespace ns in new[] { A, B })
        {
            await IpAsync(["netns", "add", ns.Name], cancellationToken);
            _created.Add(ns);
        }

        // Both ends are created directly inside their namespaces, so the pair never appears among the host's links.
        await IpAsync(["link", "add", DeviceA, "netns", A.Name, "type", "veth", "peer", "name", DeviceB, "netns", B.Name], cancellationToken);
        await IpAsync(["-n", A.Name, "address", "add", AddressA + "/30", "dev", DeviceA], cancellationToken);
        await IpAsync(["-n", B.Name, "address", "add", AddressB + "/30", "dev", DeviceB], cancellationToken);
        foreach ((NetworkNamespace ns, string device) in new[] { (A, DeviceA), (B, DeviceB) })
        {
            await IpAsync(["-n", ns.Name, "link", "set", "lo", "up"], cancellationToken);
            await IpAsync(["-n", ns.Name, "link", "set", device, "up"], cancellationToken);
            await HostCommand.RunAsync(
                "tc",
                ["-n", ns.Name, "qdisc", "add", "dev", device, "root", "tbf", "rate", "20mbit", "burst", "32kbit", "latency", "50ms"],
                cancellationToken: cancellationToken);
        }

        HostCommand.Outcome qdiscs = await HostCommand.RunAsync("tc", ["-n", A.Name, "-s", "qdisc", "show", "dev", DeviceA], cancellationToken: cancellationToken);
        _output?.WriteLine($"{A.Name} {DeviceA} {AddressA}/30 <-> {B.Name} {DeviceB} {AddressB}/30; {qdiscs.StandardOutput.Trim()}");
    }

    /// <summary>The tbf statistics (sent, dropped, overlimits, backlog) of the A-to-B direction.</summary>
    public async Task<string> QdiscStatisticsAsync(CancellationToken cancellationToken)
    {
        HostCommand.Outcome a = await HostCommand.RunAsync("tc", ["-n", A.Name, "-s", "qdisc", "show", "dev", DeviceA], cancellationToken: cancellationToken);
        HostCommand.Outcome b = await HostCommand.RunAsync("tc", ["-n", B.Name, "-s", "qdisc", "show", "dev", DeviceB], cancellationToken: cancellationToken);
        return $"A->B: {Flatten(a.StandardOutput)}{Environment.NewLine}B->A: {Flatten(b.StandardOutput)}";
    }

    /// <summary>
    /// The smallest of several round trips of a one-byte datagram from A to B and back, through the empty queues: the
    /// path's base RTT, without the STT session's own processing.
    /// </summary>
    public async Task<TimeSpan> MeasureBaseRttAsync(int probes, CancellationToken cancellationToken)
    {
        using Socket echo = await B.RunInsideAsync(() => BoundSocket(AddressB));
        using Socket probe = await A.RunInsideAsync(() => BoundSocket(AddressA));
        EndPoint echoAddress = echo.LocalEndPoint!;
        byte[] echoBuffer = new byte[16];
        byte[] probeBuffer = new byte[16];
        TimeSpan best = TimeSpan.MaxValue;
        for (int i = 0; i < probes; i++)
        {
            long started = Stopwatch.GetTimestamp();
            ValueTask<SocketReceiveFromResult> request = echo.ReceiveFromAsync(echoBuffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
            await probe.SendToAsync(probeBuffer.AsMemory(0, 1), echoAddress, cancellationToken);
            SocketReceiveFromResult received = await request;
            ValueTask<int> reply = probe.ReceiveAsync(probeBuffer, cancellationToken);
            await echo.SendToAsync(echoBuffer.AsMemory(0, received.ReceivedBytes), received.RemoteEndPoint, cancellationToken);
            await reply;
            TimeSpan rtt = Stopwatch.GetElapsedTime(started);
            best = rtt < best ? rtt : best;
        }

        return best;
    }

    private static Socket BoundSocket(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Flatten(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Task<HostCommand.Outcome> IpAsync(string[] arguments, CancellationToken cancellationToken) =>
        HostCommand.RunAsync("ip", arguments, cancellationToken: cancellationToken);
}

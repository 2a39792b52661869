using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;

namespace Stt.Benchmarks.FanOut;

/// <summary>
/// A server in a child process: the STT node (src/Stt.Server's build output) or the plain Kestrel WebSocket broadcaster
/// (this program with <c>plain-server</c>). Out of process so the server's RSS and CPU time can be read on their own.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _dataDirectory;
    private readonly Queue<string> _lastLines = new();

    private ChildServer(Process process, int httpPort, int udpPort, byte[] sharedSeed, string? dataDirectory)
    {
        _process = process;
        HttpPort = httpPort;
        UdpPort = udpPort;
        SharedSeed = sharedSeed;
        _dataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public int HttpPort { get; }

    public int UdpPort { get; }

    public byte[] SharedSeed { get; }

    public Uri SttWebSocketUri => new($"ws://127.0.0.1:{HttpPort}/stt");

    public IPEndPoint UdpEndPoint => new(IPAddress.Loopback, UdpPort);

    public long ResidentBytes => ProcessStats.ResidentBytes(Pid);

    public double CpuSeconds => ProcessStats.CpuSeconds(Pid);

    /// <summary>Sums the samples of every Prometheus series whose name starts with <paramref name="prefix"/>; -1 if none.</summary>
    public async Task<double> ScrapeAsync(string prefix, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string metrics;
        try
        {
            metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}/metrics"), ct).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return -1;
        }

        double total = 0;
        bool found = false;
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                string value = line[(line.LastIndexOf(' ') + 1)..];
                if (double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out double v))
                {
                    total += v;
                    found = true;
                }
            }
        }

        return found ? total : -1;
    }

    public static async Task<ChildServer> StartNodeAsync(CancellationToken ct)
    {
        string dll = FindNodeDll();
        int http = FreeTcpPort();
        int udp = FreeUdpPort();
        byte[] shared = RandomNumberGenerator.GetBytes(32);
        string data = Directory.CreateTempSubdirectory("stt-bench-node-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[
            dll,
            "--urls", $"http://127.0.0.1:{http}",
            "--Stt:Udp:Port", udp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Stt:DataDirectory", data,
            "--Stt:NodeSeed", Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            "--Stt:SharedSeed", Convert.ToHexString(shared),
            "--Stt:Sessions:MaxSessions", "50000",
            "--Stt:Sessions:MaxSessionsPerSource", "50000",
            "--Logging:LogLevel:Default", "Warning",
        ])
        {
            start.ArgumentList.Add(arg);
        }

        var child = new ChildServer(Process.Start(start)!, http, udp, shared, data);
        await child.WaitReadyAsync("/readyz", ct).ConfigureAwait(false);
        return child;
    }

    public static async Task<ChildServer> StartPlainAsync(CancellationToken ct)
    {
        int http = FreeTcpPort();
        string self = Assembly.GetExecutingAssembly().Location;
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }

        start.ArgumentList.Add("plain-server");
        start.ArgumentList.Add(http.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var child = new ChildServer(Process.Start(start)!, http, 0, [], null);
        await child.WaitReadyAsync("/healthz", ct).ConfigureAwait(false);
        return child;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
        }

        _process.Dispose();
        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }
    }

    private async Task WaitReadyAsync(string path, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}{path}"), ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        string output;
        lock (_lastLines)
        {
            output = string.Join('\n', _lastLines);
        }

        throw new InvalidOperationException($"The child server did not become ready:\n{output}");
    }

    private static string FindNodeDll()
    {
        // bench/Stt.Benchmarks.FanOut/bin/<Configuration>/<tfm>/ -> src/Stt.Server/bin/<Configuration>/<tfm>/Stt.Server.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = here.Name;
        string configuration = here.Parent!.Name;
        for (DirectoryInfo? dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Stt.Server.sln")))
            {
                string dll = Path.Combine(dir.FullName, "src", "Stt.Server", "bin", configuration, tfm, "Stt.Server.dll");
                if (File.Exists(dll))
                {
                    return dll;
                }

                throw new FileNotFoundException("Build src/Stt.Server first.", dll);
            }
        }

        throw new FileNotFoundException("Stt.Server.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreeTcpPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

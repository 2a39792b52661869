using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Stt.Server.Tests.Operations;

/// <summary>
/// The built node (<c>Stt.Server.dll</c> beside the test assembly) in a process of its own, on 127.0.0.1 with an
/// ephemeral HTTP port, an ephemeral UDP port and a temporary data folder in which it creates its seeds. Its console
/// log is read to learn the bound addresses; disposing kills the whole process tree if it still runs.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<Uri> _http = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<IPEndPoint> _udp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _sharedSeedPath = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _ownsDirectory;

    private NodeProcess(Process process, string dataDirectory, bool ownsDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The node's data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The operating-system process.</summary>
    public Process Process => _process;

    /// <summary>Kestrel's bound address, from the "Now listening on:" line.</summary>
    public Uri HttpAddress { get; private set; } = null!;

    /// <summary>The UDP endpoint's bound address, from the "UDP endpoint listening on" line.</summary>
    public IPEndPoint UdpEndPoint { get; private set; } = null!;

    /// <summary>The shared seed file the node reported creating on its first start.</summary>
    public string SharedSeedPath { get; private set; } = null!;

    /// <summary>ws://.../stt on the node's HTTP address.</summary>
    public Uri WebSocketUri => new($"ws://{HttpAddress.Authority}/stt");

    /// <summary>stt+udp://127.0.0.1:port.</summary>
    public Uri UdpUri => new($"stt+udp://127.0.0.1:{UdpEndPoint.Port}");

    /// <summary>Every line the node wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>The path of the built node beside the test assembly (the test project references Stt.Server).</summary>
    public static string ServerAssemblyPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Stt.Server.dll");
            Assert.True(File.Exists(path), $"The built node is not beside the tests: {path}");
            return path;
        }
    }

    /// <summary>Starts a node and waits (at most 60 s) until it logged its HTTP address, UDP address and shared seed file.</summary>
    /// <param name="settings">Extra <c>--key value</c> pairs, e.g. <c>Stt:ShutdownTimeout</c>.</param>
    public static async Task<NodeProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        string dataDirectory = Path.Combine(Directory.CreateTempSubdirectory("stt-proc-").FullName, "data");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerAssemblyPath);
        var args = new Dictionary<string, string>
        {
            ["--urls"] = "http://127.0.0.1:0",
            ["--Stt:Udp:Port"] = "0",
            ["--Stt:DataDirectory"] = dataDirectory,
        };
        if (settings is not null)
        {
            foreach (KeyValuePair<string, string> pair in settings)
            {
                args["--" + pair.Key] = pair.Value;
            }
        }

        foreach (KeyValuePair<string, string> pair in args)
        {
            info.ArgumentList.Add(pair.Key);
            info.ArgumentList.Add(pair.Value);
        }

        // Plain console lines, no colours, whatever the environment of the test run says.
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        info.Environment["DOTNET_gcServer"] = "0";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process, dataDirectory, ownsDirectory: true);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        Assert.True(process.Start(), "dotnet did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task exited = process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Task ready = Task.WhenAll(node._http.Task, node._udp.Task, node._sharedSeedPath.Task);
            Task first = await Task.WhenAny(ready, exited).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(first == ready, $"The node exited before it was ready:\n{node.Output}");
            node.HttpAddress = await node._http.Task;
            node.UdpEndPoint = await node._udp.Task;
            node.SharedSeedPath = await node._sharedSeedPath.Task;
        }
        catch (TimeoutException)
        {
            string output = node.Output;
            await node.DisposeAsync();
            Assert.Fail($"The node did not report its addresses within 60 s:\n{output}");
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>Whether some log line contains <paramref name="text"/>.</summary>
    public bool HasLogged(string text)
    {
        lock (_lock)
        {
            return _lines.Exists(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Sends SIGTERM (what <c>docker stop</c> and systemd send) with the <c>kill</c> command.</summary>
    public void SendSigterm()
    {
        using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(kill.WaitForExit(10_000), "kill -TERM did not finish");
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to exit; returns false if it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Kills the process tree if it still runs and deletes the temporary folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
        }

        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
        }

        if (HttpLine().Match(line) is { Success: true } http)
        {
            _http.TrySetResult(new Uri(http.Groups[1].Value));
        }

        if (UdpLine().Match(line) is { Success: true } udp)
        {
            _udp.TrySetResult(IPEndPoint.Parse(udp.Groups[1].Value));
        }

        if (SeedLine().Match(line) is { Success: true } seed)
        {
            _sharedSeedPath.TrySetResult(seed.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex HttpLine();

    [GeneratedRegex(@"UDP endpoint listening on (\S+)")]
    private static partial Regex UdpLine();

    [GeneratedRegex(@"Shared seed: (\S+) \(copy")]
    private static partial Regex SeedLine();
}

using System.Globalization;
using Stt.Benchmarks.FanOut;

// Load harness for the streaming node. Measures and prints; asserts nothing.
//   dotnet run -c Release --project bench/Stt.Benchmarks.FanOut -- [fanout|idle|all] [options]
// Options: --subscribers N (1000)  --rate R msg/s (100)  --size B (1024)  --seconds S (10)  --warmup S (5)  --runs K (1)
//          --no-max (skip the max-rate variant)  --systems stt-ws,stt-udp,plain  --idle-udp N (10000)  --idle-ws N (2000)
//          --idle-plain N (as --idle-ws: idle plain WebSockets on the plain Kestrel server, the baseline row)
if (args.Length >= 2 && args[0] == "plain-server")
{
    await PlainBroadcastServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
    return;
}

string scenario = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
int subscribers = Option("--subscribers", 1000);
int rate = Option("--rate", 100);
int size = Option("--size", 1024);
double seconds = Option("--seconds", 10);
double warmUp = Option("--warmup", 5);
int runs = Option("--runs", 1);
int idleUdp = Option("--idle-udp", 10_000);
int idleWs = Option("--idle-ws", 2_000);
int idlePlain = Option("--idle-plain", idleWs);
bool withMax = !args.Contains("--no-max");
string[] systems = OptionText("--systems", "stt-ws,stt-udp,plain").Split(',');
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

Console.WriteLine($"# STT node load harness, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"command: {string.Join(' ', args)}");
Console.WriteLine();

if (scenario is "fanout" or "all")
{
    var results = new List<FanOutResult>();
    int[] rates = withMax ? [rate, 0] : [rate];
    for (int run = 1; run <= runs; run++)
    {
        foreach (int r in rates)
        {
            foreach (string system in systems)
            {
                FanOutResult result = await FanOutScenario.RunAsync(system, subscribers, r, size, seconds, warmUp, cancel.Token);
                results.Add(result);
                Console.WriteLine($"run {run}: {result}");
            }
        }
    }

    Console.WriteLine();
    Report.PrintFanOut(results, runs, size, seconds);
}

if (scenario is "idle" or "all")
{
    var results = new List<IdleResult>();
    for (int run = 1; run <= runs; run++)
    {
        foreach ((string transport, int count) in new[] { ("UDP", idleUdp), ("WebSocket", idleWs), (IdleScenario.PlainTransport, idlePlain) })
        {
            if (count <= 0)
            {
                continue;
            }

            IdleResult result = await IdleScenario.RunAsync(transport, count, cancel.Token);
            results.Add(result);
            Console.WriteLine($"run {run}: {result}");
        }
    }

    Console.WriteLine();
    Report.PrintIdle(results, runs);
}

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string OptionText(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

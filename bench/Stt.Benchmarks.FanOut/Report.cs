using System.Globalization;

namespace Stt.Benchmarks.FanOut;

/// <summary>Markdown tables of the medians over runs, with the STT/plain ratios.</summary>
internal static class Report
{
    public static void PrintFanOut(List<FanOutResult> results, int runs, int size, double seconds)
    {
        Console.WriteLine($"## Fan-out: 1 publisher -> N subscribers, {size} B payloads, {seconds:F0} s window, median of {runs} run(s)");
        Console.WriteLine();
        Console.WriteLine("| server | transport | load | N | published/s | delivered msg/s | goodput MB/s | vs plain | p50 ms | p99 ms | p99.9 ms | server CPU | bench CPU | connect s | skipped | node queue KiB | node dropped | client RTT ms |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (IGrouping<(string System, string Transport, string Load), FanOutResult> group in results.GroupBy(r => (r.System, r.Transport, r.Load)))
        {
            FanOutResult[] g = [.. group];
            double goodput = Median(g, r => r.GoodputMBps);
            FanOutResult[] plain = [.. results.Where(r => r.System.StartsWith("plain", StringComparison.Ordinal) && r.Load == group.Key.Load)];
            string ratio = plain.Length == 0 ? "-" : (goodput / Median(plain, r => r.GoodputMBps)).ToString("P0", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.System} | {group.Key.Transport} | {group.Key.Load} | {g[0].Subscribers} | {Median(g, r => r.PublishedPerSecond):N0} | {Median(g, r => r.DeliveredPerSecond):N0} | {goodput:F1} | {ratio} | {Median(g, r => r.P50Ms):F2} | {Median(g, r => r.P99Ms):F2} | {Median(g, r => r.P999Ms):F2} | {Median(g, r => r.ServerCpuPercent):F0}% | {Median(g, r => r.BenchCpuPercent):F0}% | {Median(g, r => r.ConnectSeconds):F1} | {Median(g, r => r.Skipped):N0} | {Median(g, r => r.ServerQueuedKiB):N0} | {Median(g, r => r.ServerDropped):N0} | {Median(g, r => r.ClientRttMs):F1} |"));
        }

        Console.WriteLine();
    }

    public static void PrintIdle(List<IdleResult> results, int runs)
    {
        Console.WriteLine($"## Idle sessions held against the node (child process), median of {runs} run(s); the plain Kestrel WS row is the baseline: the same held idle against a Kestrel WebSocket server with no STT");
        Console.WriteLine();
        Console.WriteLine("| transport | sessions | active on node | connect s | RSS before MiB | RSS +2 s MiB | RSS +12 s MiB | bytes/session (+2 s) | bytes/session (+12 s) | marginal bytes/session (2nd half) | node CPU idle |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (IGrouping<string, IdleResult> group in results.GroupBy(r => r.Transport))
        {
            IdleResult[] g = [.. group];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {Median(g, r => r.Established):N0} | {(g[0].ActiveOnNode < 0 ? "-" : Median(g, r => r.ActiveOnNode).ToString("N0", CultureInfo.InvariantCulture))} | {Median(g, r => r.ConnectSeconds):F1} | {Median(g, r => r.BaselineRss) / 1048576:F1} | {Median(g, r => r.LoadedRss) / 1048576:F1} | {Median(g, r => r.LaterRss) / 1048576:F1} | {Median(g, r => r.BytesPerSession):N0} | {Median(g, r => r.BytesPerSessionLater):N0} | {Median(g, r => r.MarginalBytesPerSession):N0} | {Median(g, r => r.IdleServerCpuPercent):F1}% |"));
        }

        Console.WriteLine();
    }

    private static double Median<T>(T[] items, Func<T, double> selector)
    {
        double[] values = [.. items.Select(selector).Order()];
        return values.Length == 0 ? double.NaN
            : values.Length % 2 == 1 ? values[values.Length / 2]
            : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }
}

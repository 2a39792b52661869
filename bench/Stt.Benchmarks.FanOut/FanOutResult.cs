namespace Stt.Benchmarks.FanOut;

/// <summary>One fan-out measurement: what arrived at the subscribers during the measurement window.</summary>
internal sealed record FanOutResult(
    string System,
    string Transport,
    string Load,
    int Subscribers,
    double PublishedPerSecond,
    double DeliveredPerSecond,
    double GoodputMBps,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double ServerCpuPercent,
    double BenchCpuPercent,
    double ConnectSeconds,
    long Skipped,
    double ServerQueuedKiB,
    double ServerDropped,
    double ClientRttMs);

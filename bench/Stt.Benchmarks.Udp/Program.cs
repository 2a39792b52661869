using Stt.Benchmarks.Udp;

// Loopback throughput of one encrypted STT session against a raw UDP blast of the same datagram size, and the rate of
// handshakes one responder completes. Each measurement runs for a fixed time; pass seconds as the first argument.
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
TimeSpan duration = TimeSpan.FromSeconds(seconds);
Console.WriteLine($"STT over UDP, loopback, {Environment.ProcessorCount} cores, {duration.TotalSeconds:F0} s per measurement");
Console.WriteLine();
Console.WriteLine($"{"budget",8} {"raw dgram/s",12} {"raw MB/s",9} {"STT dgram/s",12} {"STT MB/s",9} {"STT/raw",8} {"alloc B/dgram",14}");
foreach (int budget in new[] { 1200, 8192 })
{
    Measurement raw = RawUdpBlast.Run(budget, duration);
    Measurement stt = await SessionGoodput.RunAsync(budget, duration);
    Console.WriteLine($"{budget,8} {raw.DatagramsPerSecond,12:N0} {raw.MegabytesPerSecond,9:F1} {stt.DatagramsPerSecond,12:N0} {stt.MegabytesPerSecond,9:F1} {stt.MegabytesPerSecond / raw.MegabytesPerSecond,8:P0} {stt.AllocatedPerDatagram,14:F1}");
}

Console.WriteLine();
double handshakes = await HandshakeRate.RunAsync(duration, concurrency: 16);
Console.WriteLine($"handshakes completed by one responder: {handshakes:N0}/s (16 in flight)");

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Stt.Client;
using Stt.Protocol.Distribution;
using Stt.Server.Tests.Node;
using Xunit;

namespace Stt.Server.Tests.Operations;

/// <summary>A real Prometheus scrapes an in-process node's /metrics; the stored values equal the counts the test produced.</summary>
[Collection("node-heavy")]
public sealed class PrometheusScrapeTests
{
    private const int Published = 7;

    [Fact]
    public async Task Prometheus_scrapes_exact_counts_of_sessions_handshakes_requests_integrity_failures_and_messages()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string prometheus = FindOnPath("prometheus")
            ?? throw new InvalidOperationException("The 'prometheus' binary is not on PATH; install Debian's prometheus package (.ci/run does).");

        await using TestNode node = await TestNode.StartAsync(new Dictionary<string, string?> { ["Stt:Content:ChunkSize"] = "65536" });
        string work = Directory.CreateTempSubdirectory("stt-prom-").FullName;
        int port = FreeTcpPort();
        string config = Path.Combine(work, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: stt
                metrics_path: /metrics
                static_configs:
                  - targets: ['{node.HttpAddress.Authority}']
            """, ct);

        var info = new ProcessStartInfo(prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--config.file={config}");
        info.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(work, "tsdb")}");
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clients = new List<SttClient>();
        try
        {
            // 3 UDP and 2 WebSocket sessions, kept open.
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await SttClient.ConnectAsync(new Uri($"stt+udp://127.0.0.1:{node.UdpEndPoint.Port}"), node.SharedSeedBytes, ct).WaitAsync(TimeSpan.FromSeconds(20), ct));
            }

            for (int i = 0; i < 2; i++)
            {
                clients.Add(await SttClient.ConnectAsync(node.WebSocketUri, node.SharedSeedBytes, ct).WaitAsync(TimeSpan.FromSeconds(20), ct));
            }

            // 1 WebSocket handshake with the wrong seed.
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using SttClient wrong = await SttClient.ConnectAsync(node.WebSocketUri, RandomNumberGenerator.GetBytes(32), ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            });

            // 5 listings.
            for (int i = 0; i < 5; i++)
            {
                await clients[0].ListContentAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            }

            // 1 integrity failure: one chunk of content, corrupted on disk, then fetched.
            byte[] content = RandomNumberGenerator.GetBytes(10_000);
            ContentId id = await clients[3].UploadAsync(new MemoryStream(content), content.Length, "bad.bin", 65536, ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            string[] chunks = Directory.GetFiles(Path.Combine(node.DataDirectory, "content", "chunks"), "*", SearchOption.AllDirectories);
            string chunk = Assert.Single(chunks);
            byte[] bytes = await File.ReadAllBytesAsync(chunk, ct);
            bytes[bytes.Length / 2] ^= 0x5a;
            await File.WriteAllBytesAsync(chunk, bytes, ct);
            await Assert.ThrowsAnyAsync<Exception>(() => clients[3].FetchAsync(id, new MemoryStream(), null, ct).WaitAsync(TimeSpan.FromSeconds(20), ct));

            // N published messages.
            await using (ChannelPublisher publisher = await clients[1].PublishAsync("ops/metrics", ct))
            {
                for (int i = 0; i < Published; i++)
                {
                    await publisher.WriteAsync(new byte[] { (byte)i }, ct);
                }

                await publisher.CompleteAsync(ct);
            }

            // The exposition names each metric once.
            using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
            string exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            List<string> names = MetricsText.TypeNames(exposition);
            Assert.True(names.Count > 5, exposition);
            Assert.True(names.Count == names.Distinct().Count(), $"metric names declared twice: {string.Join(", ", names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))}\n{exposition}");

            var expected = new (string Query, double Value)[]
            {
                ("sum(stt_sessions_active{transport=\"udp\"})", 3),
                ("sum(stt_sessions_active{transport=\"websocket\"})", 2),
                ("sum(stt_sessions_opened_total{transport=\"udp\"})", 3),
                ("sum(stt_sessions_opened_total{transport=\"websocket\"})", 2),
                ("sum(stt_udp_handshakes_total{role=\"responder\",result=\"completed\"})", 3),
                ("sum(stt_websocket_handshakes_total{role=\"responder\",result=\"completed\"})", 2),
                ("sum(stt_websocket_handshakes_total{role=\"responder\",result=\"rejected\"})", 1),
                ("sum(stt_distribution_requests_total{kind=\"list_content\",status=\"ok\"})", 5),
                ("sum(stt_distribution_requests_total{kind=\"put_content\",status=\"ok\"})", 1),
                ("sum(stt_distribution_requests_total{kind=\"publish\",status=\"ok\"})", 1),
                ("sum(stt_content_integrity_failures_total)", 1),
                ("sum(stt_fanout_messages_published_total)", Published),
            };

            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var watch = Stopwatch.StartNew();
            var last = new Dictionary<string, double?>();
            while (true)
            {
                foreach ((string query, double _) in expected)
                {
                    last[query] = await QueryAsync(api, query, ct);
                }

                if (expected.All(e => last[e.Query] == e.Value))
                {
                    break;
                }

                if (watch.Elapsed > TimeSpan.FromSeconds(45))
                {
                    exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
                    Assert.Fail("Prometheus did not reach the expected values within 45 s:\n"
                        + string.Join("\n", expected.Select(e => $"{e.Query}: expected {e.Value}, scraped {last[e.Query]?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}"))
                        + $"\n--- prometheus log:\n{string.Join("\n", log.TakeLast(30))}\n--- /metrics:\n{exposition}");
                }

                await Task.Delay(500, ct);
            }
        }
        finally
        {
            foreach (SttClient client in clients)
            {
                await client.DisposeAsync();
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }

            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static async Task<double?> QueryAsync(HttpClient api, string query, CancellationToken ct)
    {
        try
        {
            string json = await api.GetStringAsync(new Uri($"/api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative), ct);
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement result = document.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 0)
            {
                return null;
            }

            return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return null; // Prometheus is still starting.
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

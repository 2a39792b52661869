using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Stt.Client;
using Stt.Protocol;
using Stt.Protocol.Distribution;
using Stt.Protocol.Sessions;
using Stt.Transport;

namespace Stt.Cli;

/// <summary>
/// The commands of <c>stt</c>. Each checks its arguments before connecting (so a usage error never touches the
/// network), connects one <see cref="SttClient"/>, runs, and closes it.
/// </summary>
internal sealed class Commands
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CommandLine _line;
    private readonly TextReader _stdin;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Func<string, string?> _environment;

    /// <summary>Creates the command runner.</summary>
    /// <param name="line">The parsed command line.</param>
    /// <param name="stdin">Standard input.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="environment">Reads environment variables.</param>
    public Commands(CommandLine line, TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        _line = line;
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
        _environment = environment;
    }

    /// <summary>Runs the command named on the command line.</summary>
    /// <param name="ct">Cancels the command.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="UsageException">Unknown command or bad arguments.</exception>
    /// <exception cref="CliFailure">Connection failure.</exception>
    public Task<int> RunAsync(CancellationToken ct) => _line.Command switch
    {
        "info" => InfoAsync(ct),
        "subscribe" => SubscribeAsync(ct),
        "publish" => PublishAsync(ct),
        "put" => PutAsync(ct),
        "get" => GetAsync(ct),
        "list" => ListAsync(ct),
        _ => throw new UsageException($"unknown command '{_line.Command}'"),
    };

    /// <summary>Formats a message payload: its UTF-8 text when it is printable, else <c>hex:</c> and its bytes in hex.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>One line of text.</returns>
    internal static string FormatPayload(ReadOnlySpan<byte> payload)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return "hex:" + Convert.ToHexStringLower(payload);
        }

        foreach (char c in text)
        {
            if (c != '\t' && char.IsControl(c))
            {
                return "hex:" + Convert.ToHexStringLower(payload);
            }
        }

        return text;
    }

    private async Task<int> InfoAsync(CancellationToken ct)
    {
        _line.AllowOnly();
        _line.ExpectPositionals(1, 1);
        Uri node = ParseNode();
        SttClient client = await ConnectAsync(node, ct).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            SessionStatistics statistics = client.Session.Statistics;
            await _stdout.WriteLineAsync($"transport: {client.TransportName}").ConfigureAwait(false);
            await _stdout.WriteLineAsync($"node id:   {client.PeerNodeId}").ConfigureAwait(false);
            await _stdout.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"rtt:       {statistics.SmoothedRtt.TotalMilliseconds:0.###} ms")).ConfigureAwait(false);
        }

        return ExitCode.Ok;
    }

    private async Task<int> SubscribeAsync(CancellationToken ct)
    {
        _line.AllowOnly("--replay", "--count");
        _line.ExpectPositionals(2, 2);
        Uri node = ParseNode();
        string channel = ParseChannel(_line.Positionals[1]);
        int count = _line.GetPositiveInt("--count", int.MaxValue);
        SttClient client = await ConnectAsync(node, ct).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            int received = 0;
            try
            {
                await foreach (ChannelMessage message in client.SubscribeAsync(channel, _line.Has("--replay"), ct).ConfigureAwait(false))
                {
                    if (message.Skipped > 0)
                    {
                        await _stderr.WriteLineAsync(string.Create(
                            CultureInfo.InvariantCulture, $"skipped {message.Skipped} message(s) before {message.Sequence}")).ConfigureAwait(false);
                    }

                    string line = string.Create(CultureInfo.InvariantCulture, $"{message.Sequence}\t{FormatPayload(message.Payload.Span)}");
                    await _stdout.WriteLineAsync(line).ConfigureAwait(false);
                    await _stdout.FlushAsync(ct).ConfigureAwait(false);
                    if (++received >= count)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C ends a subscription normally.
            }
        }

        return ExitCode.Ok;
    }

    private async Task<int> PublishAsync(CancellationToken ct)
    {
        _line.AllowOnly();
        _line.ExpectPositionals(2, int.MaxValue);
        Uri node = ParseNode();
        string channel = ParseChannel(_line.Positionals[1]);
        SttClient client = await ConnectAsync(node, ct).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            ChannelPublisher publisher = await client.PublishAsync(channel, ct).ConfigureAwait(false);
            await using (publisher.ConfigureAwait(false))
            {
                int published = 0;
                if (_line.Positionals.Count > 2)
                {
                    for (int i = 2; i < _line.Positionals.Count; i++)
                    {
                        await publisher.WriteAsync(Encoding.UTF8.GetBytes(_line.Positionals[i]), ct).ConfigureAwait(false);
                        published++;
                    }
                }
                else
                {
                    while (await _stdin.ReadLineAsync(ct).ConfigureAwait(false) is { } message)
                    {
                        await publisher.WriteAsync(Encoding.UTF8.GetBytes(message), ct).ConfigureAwait(false);
                        published++;
                    }
                }

                await publisher.CompleteAsync(ct).ConfigureAwait(false);
                await _stderr.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture, $"published {published} message(s) to {channel}")).ConfigureAwait(false);
            }
        }

        return ExitCode.Ok;
    }

    private async Task<int> PutAsync(CancellationToken ct)
    {
        _line.AllowOnly("--name", "--chunk-size");
        _line.ExpectPositionals(2, 2);
        Uri node = ParseNode();
        string path = _line.Positionals[1];
        string name = _line.Get("--name") ?? Path.GetFileName(path);
        if (!ChannelName.IsValidContentName(Encoding.UTF8.GetBytes(name)))
        {
            throw new UsageException($"'{name}' is not a valid content name (at most 255 bytes of UTF-8 without control characters)");
        }

        int chunkSize = _line.GetPositiveInt("--chunk-size", 262144);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {ex.Message}");
        }

        await using (file.ConfigureAwait(false))
        {
            SttClient client = await ConnectAsync(node, ct).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                ContentId id;
                try
                {
                    id = await client.UploadAsync(file, file.Length, name.Length == 0 ? null : name, chunkSize, ct).ConfigureAwait(false);
                }
                catch (ArgumentException ex)
                {
                    throw new UsageException(ex.Message);
                }

                await _stdout.WriteLineAsync(id.ToString()).ConfigureAwait(false);
            }
        }

        return ExitCode.Ok;
    }

    private async Task<int> GetAsync(CancellationToken ct)
    {
        _line.AllowOnly();
        _line.ExpectPositionals(3, 3);
        Uri node = ParseNode();
        if (!ContentId.TryParse(_line.Positionals[1], out ContentId id))
        {
            throw new UsageException($"'{_line.Positionals[1]}' is not a content ID ({ContentId.HexLength} hex digits)");
        }

        string output = _line.Positionals[2];
        SttClient client = await ConnectAsync(node, ct).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            ContentManifest manifest;
            try
            {
                manifest = await client.FetchToFileAsync(id, output, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write {output}: {ex.Message}");
            }

            byte[] hash;
            FileStream file = File.OpenRead(output);
            await using (file.ConfigureAwait(false))
            {
                hash = await SHA256.HashDataAsync(file, ct).ConfigureAwait(false);
            }

            await _stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"size:   {manifest.TotalLength}")).ConfigureAwait(false);
            await _stdout.WriteLineAsync($"sha256: {Convert.ToHexStringLower(hash)}").ConfigureAwait(false);
        }

        return ExitCode.Ok;
    }

    private async Task<int> ListAsync(CancellationToken ct)
    {
        _line.AllowOnly();
        _line.ExpectPositionals(1, 1);
        Uri node = ParseNode();
        SttClient client = await ConnectAsync(node, ct).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            IReadOnlyList<ContentListingEntry> entries = await client.ListContentAsync(ct).ConfigureAwait(false);
            foreach (ContentListingEntry entry in entries)
            {
                await _stdout.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture, $"{entry.Id}\t{entry.TotalLength}\t{entry.ChunkCount}\t{entry.Name}")).ConfigureAwait(false);
            }
        }

        return ExitCode.Ok;
    }

    private static string ParseChannel(string channel) => ChannelName.IsValid(channel.AsSpan())
        ? channel
        : throw new UsageException($"'{channel}' is not a valid channel name (1 to 128 of A-Z a-z 0-9 . _ - / in non-empty segments)");

    private Uri ParseNode()
    {
        string text = _line.Positionals[0];
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? node))
        {
            throw new UsageException($"'{text}' is not a node URI (stt+udp://host:port or ws://host:port/stt)");
        }

        try
        {
            SttClient.ParseNodeUri(node, out _, out _);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        return node;
    }

    private async Task<SttClient> ConnectAsync(Uri node, CancellationToken ct)
    {
        byte[] seed = SharedSeedSource.Load(_line.Get("--seed-file"), _environment);
        try
        {
            return await SttClient.ConnectAsync(node, seed, ct).ConfigureAwait(false);
        }
        catch (SessionClosedException ex)
        {
            string hint = ex.CloseCode == ProtocolErrorCode.HandshakeTimeout ? $", and that a node answers at {node}" : string.Empty;
            throw new CliFailure(ExitCode.Connection, $"handshake failed: check the shared seed{hint} ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is SocketException or WebSocketException or IOException or HttpRequestException or TimeoutException)
        {
            throw new CliFailure(ExitCode.Connection, $"cannot connect to {node}: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}

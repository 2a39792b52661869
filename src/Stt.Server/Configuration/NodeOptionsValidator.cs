using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Stt.Protocol.Distribution;
using Stt.Server.Identity;

namespace Stt.Server.Configuration;

/// <summary>Checks <see cref="NodeOptions"/> at start; each failure names the setting, the bad value and what is allowed.</summary>
internal sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [];
        CheckSeed(failures, "Stt:NodeSeed", options.NodeSeed);
        CheckSeed(failures, "Stt:SharedSeed", options.SharedSeed);

        UdpListenerOptions udp = options.Udp;
        if (!IPAddress.TryParse(udp.Address, out _))
        {
            failures.Add($"Stt:Udp:Address '{udp.Address}' is not an IP address literal (for example 0.0.0.0, 127.0.0.1 or ::).");
        }

        Range(failures, "Stt:Udp:Port", udp.Port, 0, 65_535);
        Range(failures, "Stt:Udp:DatagramBudget", udp.DatagramBudget, 512, 65_507);
        Range(failures, "Stt:Udp:ReceiveBufferSize", udp.ReceiveBufferSize, 0, 256 * 1024 * 1024);
        Range(failures, "Stt:Udp:SendBufferSize", udp.SendBufferSize, 0, 256 * 1024 * 1024);

        WebSocketListenerOptions ws = options.WebSocket;
        if (!ws.Path.StartsWith('/'))
        {
            failures.Add($"Stt:WebSocket:Path '{ws.Path}' must start with '/'.");
        }

        Range(failures, "Stt:WebSocket:MaxMessageSize", ws.MaxMessageSize, 1024, 1024 * 1024);
        Positive(failures, "Stt:WebSocket:KeepAliveInterval", ws.KeepAliveInterval);
        Positive(failures, "Stt:WebSocket:KeepAliveTimeout", ws.KeepAliveTimeout);
        foreach (string origin in ws.AllowedOrigins)
        {
            if (origin != "*" && !Uri.TryCreate(origin, UriKind.Absolute, out _))
            {
                failures.Add($"Stt:WebSocket:AllowedOrigins entry '{origin}' is not an absolute origin (https://host[:port]) or '*'.");
            }
        }

        SessionLimitOptions sessions = options.Sessions;
        Range(failures, "Stt:Sessions:MaxSessions", sessions.MaxSessions, 1, 1_000_000);
        Range(failures, "Stt:Sessions:MaxSessionsPerSource", sessions.MaxSessionsPerSource, 1, 1_000_000);
        Range(failures, "Stt:Sessions:MaxHalfOpen", sessions.MaxHalfOpen, 1, 1_000_000);
        Range(failures, "Stt:Sessions:HandshakesPerSecondPerSource", sessions.HandshakesPerSecondPerSource, 1, 1_000_000);
        Range(failures, "Stt:Sessions:HandshakeBurstPerSource", sessions.HandshakeBurstPerSource, 1, 1_000_000);
        Positive(failures, "Stt:Sessions:IdleTimeout", sessions.IdleTimeout);
        Positive(failures, "Stt:Sessions:HandshakeTimeout", sessions.HandshakeTimeout);
        if (sessions.KeepAliveInterval <= TimeSpan.Zero || sessions.KeepAliveInterval * 2 > sessions.IdleTimeout)
        {
            failures.Add($"Stt:Sessions:KeepAliveInterval {sessions.KeepAliveInterval} must be positive and at most half of Stt:Sessions:IdleTimeout ({sessions.IdleTimeout}).");
        }

        ContentStoreSettings content = options.Content;
        Range(failures, "Stt:Content:ChunkSize", content.ChunkSize, 4 * 1024, 4 * 1024 * 1024);
        if (content.MaxContentLength < 0)
        {
            failures.Add($"Stt:Content:MaxContentLength {content.MaxContentLength} must not be negative.");
        }

        else if (content.ChunkSize > 0 && (content.MaxContentLength + content.ChunkSize - 1) / content.ChunkSize > ContentManifestFormat.MaxChunkCount)
        {
            failures.Add($"Stt:Content:MaxContentLength {content.MaxContentLength} needs more than {ContentManifestFormat.MaxChunkCount} chunks of Stt:Content:ChunkSize {content.ChunkSize}; raise the chunk size or lower the maximum.");
        }

        Range(failures, "Stt:Content:MaxConcurrentFetches", content.MaxConcurrentFetches, 1, 100_000);

        ChannelSettings channels = options.Channels;
        Range(failures, "Stt:Channels:SubscriberQueueBytes", channels.SubscriberQueueBytes, 4 * 1024, 256 * 1024 * 1024);
        Range(failures, "Stt:Channels:ReplayMessages", channels.ReplayMessages, 0, 100_000);
        Range(failures, "Stt:Channels:ReplayBytes", channels.ReplayBytes, 0, 256 * 1024 * 1024);
        Range(failures, "Stt:Channels:MaxMessageLength", channels.MaxMessageLength, 1, 16 * 1024 * 1024);
        Range(failures, "Stt:Channels:MaxChannels", channels.MaxChannels, 1, 1_000_000);
        if (channels.MaxMessageLength > channels.SubscriberQueueBytes)
        {
            failures.Add($"Stt:Channels:MaxMessageLength {channels.MaxMessageLength} must not exceed Stt:Channels:SubscriberQueueBytes ({channels.SubscriberQueueBytes}): one message must fit a subscriber's queue.");
        }

        foreach (string publisher in channels.Publishers)
        {
            if (publisher.Length != 64 || !NodeSecrets.IsHex(publisher))
            {
                failures.Add($"Stt:Channels:Publishers entry '{publisher}' is not a node ID (64 hex digits).");
            }
        }

        if (!string.IsNullOrEmpty(options.Telemetry.OtlpEndpoint) && !Uri.TryCreate(options.Telemetry.OtlpEndpoint, UriKind.Absolute, out _))
        {
            failures.Add($"Stt:Telemetry:OtlpEndpoint '{options.Telemetry.OtlpEndpoint}' is not an absolute URI.");
        }

        Positive(failures, "Stt:ShutdownTimeout", options.ShutdownTimeout);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckSeed(List<string> failures, string key, string value)
    {
        // The value itself never goes into a message: seeds are secrets.
        if (value.Length > 0 && !NodeSecrets.IsHexSeed(value))
        {
            failures.Add($"{key} must be at least 32 bytes written as an even number of hex digits (64 or more); the configured value ({value.Length} characters) is not.");
        }
    }

    private static void Range(List<string> failures, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key} {value} is out of range [{min}, {max}]."));
        }
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} {value} must be positive.");
        }
    }
}

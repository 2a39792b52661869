using System.Diagnostics.Metrics;
using Stt.Protocol.Distribution;
using Stt.Server.Telemetry;

namespace Stt.Server.Distribution;

/// <summary>Counters of distribution requests (docs/distribution.md), by kind and outcome.</summary>
internal static class DistributionMetrics
{
    /// <summary>Requests answered, by kind and status.</summary>
    public static readonly Counter<long> Requests =
        ServerTelemetry.Meter.CreateCounter<long>("stt.distribution.requests", "{request}", "Distribution requests, by kind and the status of their response header.");

    /// <summary>Peer-opened streams being served.</summary>
    public static readonly UpDownCounter<long> StreamsActive =
        ServerTelemetry.Meter.CreateUpDownCounter<long>("stt.streams.active", "{stream}", "Peer-opened streams the node is serving now, over both transports.");

    /// <summary>Peer-opened streams served so far.</summary>
    public static readonly Counter<long> StreamsOpened =
        ServerTelemetry.Meter.CreateCounter<long>("stt.streams.opened", "{stream}", "Peer-opened streams the node accepted, over both transports.");

    /// <summary>Channel messages received from publishers.</summary>
    public static readonly Counter<long> PublishedBytes =
        ServerTelemetry.Meter.CreateCounter<long>("stt.fanout.published.bytes", "By", "Payload bytes publishers sent to live channels.");

    /// <summary>Counts one request.</summary>
    public static void Request(DistributionRequestKind? kind, DistributionStatus status) =>
        Requests.Add(
            1,
            new KeyValuePair<string, object?>("kind", kind is { } k ? KindName(k) : "unparsed"),
            new KeyValuePair<string, object?>("status", StatusName(status)));

    private static string KindName(DistributionRequestKind kind) => kind switch
    {
        DistributionRequestKind.Publish => "publish",
        DistributionRequestKind.Subscribe => "subscribe",
        DistributionRequestKind.GetManifest => "get_manifest",
        DistributionRequestKind.GetChunks => "get_chunks",
        DistributionRequestKind.ListContent => "list_content",
        DistributionRequestKind.PutContent => "put_content",
        _ => "unknown",
    };

    private static string StatusName(DistributionStatus status) => status switch
    {
        DistributionStatus.Ok => "ok",
        DistributionStatus.MalformedRequest => "malformed_request",
        DistributionStatus.UnknownKind => "unknown_kind",
        DistributionStatus.UnknownChannel => "unknown_channel",
        DistributionStatus.UnknownContent => "unknown_content",
        DistributionStatus.NotAuthorised => "not_authorised",
        DistributionStatus.TooLarge => "too_large",
        DistributionStatus.SlowConsumer => "slow_consumer",
        DistributionStatus.IntegrityFailure => "integrity_failure",
        DistributionStatus.Busy => "busy",
        DistributionStatus.ShuttingDown => "shutting_down",
        DistributionStatus.InternalError => "internal_error",
        DistributionStatus.InvalidRange => "invalid_range",
        _ => "other",
    };
}

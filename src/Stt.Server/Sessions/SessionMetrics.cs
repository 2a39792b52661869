using System.Diagnostics.Metrics;
using Stt.Protocol;
using Stt.Server.Telemetry;

namespace Stt.Server.Sessions;

/// <summary>Session counters of the node, by transport.</summary>
internal static class SessionMetrics
{
    /// <summary>Sessions admitted.</summary>
    public static readonly Counter<long> Opened =
        ServerTelemetry.Meter.CreateCounter<long>("stt.sessions.opened", "{session}", "Sessions admitted after their handshake, by transport.");

    /// <summary>Sessions that ended, by close code.</summary>
    public static readonly Counter<long> Closed =
        ServerTelemetry.Meter.CreateCounter<long>("stt.sessions.closed", "{session}", "Sessions that ended, by transport and close code.");

    /// <summary>Sessions refused after their handshake.</summary>
    public static readonly Counter<long> Rejected =
        ServerTelemetry.Meter.CreateCounter<long>("stt.sessions.rejected", "{session}", "Sessions refused after their handshake, by transport and reason (max_sessions, max_per_source, shutting_down).");

    /// <summary>A close code's metric label.</summary>
    public static string CodeName(ProtocolErrorCode code) => code switch
    {
        ProtocolErrorCode.NoError => "no_error",
        ProtocolErrorCode.IdleTimeout => "idle_timeout",
        ProtocolErrorCode.SlowConsumer => "slow_consumer",
        ProtocolErrorCode.ShuttingDown => "shutting_down",
        ProtocolErrorCode.HandshakeTimeout => "handshake_timeout",
        ProtocolErrorCode.ProtocolViolation => "protocol_violation",
        ProtocolErrorCode.InternalError => "internal_error",
        _ => "other",
    };
}

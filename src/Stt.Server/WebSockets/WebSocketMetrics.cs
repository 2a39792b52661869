using System.Diagnostics.Metrics;
using Stt.Server.Telemetry;

namespace Stt.Server.WebSockets;

/// <summary>Counters of the WebSocket endpoint that the transport cannot see (refusals before the upgrade).</summary>
internal static class WebSocketMetrics
{
    /// <summary>Upgrades refused before a handshake.</summary>
    public static readonly Counter<long> Refused =
        ServerTelemetry.Meter.CreateCounter<long>("stt.websocket.upgrades.refused", "{request}", "WebSocket upgrades refused before the handshake, by reason (max_half_open, origin).");
}

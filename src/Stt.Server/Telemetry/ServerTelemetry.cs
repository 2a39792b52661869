using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stt.Server.Telemetry;

/// <summary>The node's own meter and activity source; the transports add theirs (see <see cref="MeterNames"/>).</summary>
internal static class ServerTelemetry
{
    /// <summary>The name of the node's meter and activity source.</summary>
    public const string Name = "Stt.Server";

    /// <summary>Every meter the node exports, each instrument once.</summary>
    public static readonly string[] MeterNames = [Name, "Stt.Transport.Udp", "Stt.Transport.WebSockets"];

    /// <summary>Spans for handshakes and content fetches.</summary>
    public static readonly ActivitySource Activities = new(Name);

    /// <summary>The node's meter.</summary>
    public static readonly Meter Meter = new(Name);
}

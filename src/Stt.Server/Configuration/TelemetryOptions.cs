namespace Stt.Server.Configuration;

/// <summary>Telemetry export (<c>Stt:Telemetry</c>).</summary>
internal sealed class TelemetryOptions
{
    /// <summary>Whether <c>/metrics</c> serves the Prometheus text format.</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>An OTLP endpoint (for example <c>http://collector:4317</c>) metrics and traces are pushed to; empty: none.</summary>
    public string OtlpEndpoint { get; set; } = string.Empty;
}

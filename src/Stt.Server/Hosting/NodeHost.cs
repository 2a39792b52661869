using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Stt.Server.Admin;
using Stt.Server.Configuration;
using Stt.Server.Distribution;
using Stt.Server.Health;
using Stt.Server.Identity;
using Stt.Server.Sessions;
using Stt.Server.Telemetry;
using Stt.Server.WebSockets;

namespace Stt.Server.Hosting;

/// <summary>Builds the node: configuration, services, and the HTTP surface (<c>/stt</c>, health, metrics, admin).</summary>
internal static class NodeHost
{
    /// <summary>Builds a node from command-line arguments (and appsettings.json beside the binary, and <c>STT__</c> variables).</summary>
    /// <param name="args">Command-line flags, for example <c>--Stt:Udp:Port 9000</c> or <c>--urls http://0.0.0.0:8080</c>.</param>
    /// <param name="configure">A last say over the builder (tests use it to add settings).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // appsettings.json ships beside the binary, so the defaults apply whatever the working directory is.
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);
        AddServices(builder);

        WebApplication app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddOptions<NodeOptions>().Bind(builder.Configuration.GetSection(NodeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton(sp => NodeSecrets.Load(sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<InFlightResponses>();
        services.AddSingleton(NodeComponents.CreateContentStore);
        services.AddSingleton(NodeComponents.CreateChannelHub);
        services.AddSingleton<SessionManager>();
        services.AddSingleton<PublishHandler>();
        services.AddSingleton<SubscribeHandler>();
        services.AddSingleton<ContentHandlers>();
        services.AddSingleton<StreamRouter>();
        services.AddSingleton<SessionPipeline>();
        services.AddSingleton<WebSocketEndpoint>();
        services.AddSingleton<UdpNodeService>();
        services.AddSingleton<AdminAuthorization>();

        // Hosted services stop in reverse order: sessions close gracefully before the UDP socket goes away.
        services.AddHostedService<NodeStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<UdpNodeService>());
        services.AddHostedService<GracefulShutdownService>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        TelemetryOptions telemetry = builder.Configuration.GetSection(NodeOptions.SectionName).Get<NodeOptions>()?.Telemetry ?? new TelemetryOptions();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("stt-node"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ServerTelemetry.MeterNames);

                // The node counts established sessions once, as stt_sessions_active{transport}; the transports' own
                // per-transport gauges would export the same numbers under a second name.
                metrics.AddView("stt.udp.sessions.active", MetricStreamConfiguration.Drop);
                metrics.AddView("stt.websocket.sessions.active", MetricStreamConfiguration.Drop);
                if (telemetry.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (telemetry.OtlpEndpoint.Length > 0)
                {
                    metrics.AddOtlpExporter(otlp => otlp.Endpoint = new Uri(telemetry.OtlpEndpoint));
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(ServerTelemetry.Name);
                if (telemetry.OtlpEndpoint.Length > 0)
                {
                    tracing.AddOtlpExporter(otlp => otlp.Endpoint = new Uri(telemetry.OtlpEndpoint));
                }
            });
    }

    private static void MapEndpoints(WebApplication app)
    {
        NodeOptions options = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (NodeReadiness readiness) => readiness.IsReady
            ? Results.Text("ready\n")
            : Results.Text(readiness.Status + "\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        if (options.Telemetry.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        if (options.WebSocket.Enabled)
        {
            app.UseWebSockets();
            WebSocketEndpoint endpoint = app.Services.GetRequiredService<WebSocketEndpoint>();
            app.Map(options.WebSocket.Path, endpoint.HandleAsync);
        }

        app.MapAdmin();
    }
}

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
WebApplication app = builder.Build();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The node's entry point; public so the test host can start it.</summary>
public partial class Program;

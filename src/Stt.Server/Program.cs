using Stt.Server.Hosting;

WebApplication app = NodeHost.Build(args);
await app.RunAsync().ConfigureAwait(false);

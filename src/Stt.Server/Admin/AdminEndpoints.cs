using System.Globalization;
using Stt.Protocol.Distribution;
using Stt.Server.Content;
using Stt.Server.FanOut;
using Stt.Server.Sessions;

namespace Stt.Server.Admin;

/// <summary>
/// The JSON admin API under <c>/admin</c>, behind <see cref="AdminAuthorization"/>:
/// <list type="bullet">
/// <item><c>GET /admin/sessions</c>: every session with its statistics;</item>
/// <item><c>DELETE /admin/sessions/{id}</c>: closes a session (16 hex digits); 404 when unknown;</item>
/// <item><c>GET /admin/channels</c>: every live channel with its subscribers' lag;</item>
/// <item><c>GET /admin/content</c>: every content item;</item>
/// <item><c>POST /admin/content</c> <c>{"path": "...", "name": "...", "mediaType": "..."}</c>: adds a file on the node's disk; 400 when the file is missing, 413 when too large.</item>
/// </list>
/// </summary>
internal static class AdminEndpoints
{
    /// <summary>Maps the admin API.</summary>
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder admin = app.MapGroup("/admin").AddEndpointFilter<AdminAuthorization>();

        admin.MapGet("/sessions", (SessionManager manager) =>
            Results.Json(manager.Sessions.Select(SessionView.From).ToList()));

        admin.MapDelete("/sessions/{id}", (string id, SessionManager manager) =>
        {
            if (!ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong sessionId))
            {
                return Results.Problem("A session ID is 16 hex digits.", statusCode: StatusCodes.Status400BadRequest);
            }

            return manager.Disconnect(sessionId, "disconnected by the operator")
                ? Results.Accepted()
                : Results.Problem($"No session {id}.", statusCode: StatusCodes.Status404NotFound);
        });

        admin.MapGet("/channels", (ChannelHub hub) => Results.Json(hub.GetStatistics()));

        admin.MapGet("/content", (ContentStore store) =>
            Results.Json(store.List().Select(ContentView.From).ToList()));

        admin.MapPost("/content", async (AddContentRequest request, ContentStore store, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(request.Path) || !File.Exists(request.Path))
            {
                return Results.Problem($"No file at '{request.Path}' on the node.", statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                ContentManifest manifest = await store.AddFileAsync(request.Path, request.Name, request.MediaType, cancellationToken).ConfigureAwait(false);
                return Results.Json(ContentView.From(manifest), statusCode: StatusCodes.Status201Created);
            }
            catch (InvalidDataException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status413PayloadTooLarge);
            }
        });
    }
}

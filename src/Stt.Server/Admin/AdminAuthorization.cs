using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Stt.Server.Configuration;

namespace Stt.Server.Admin;

/// <summary>
/// The admin API's gate: without <c>Stt:Admin:Token</c> only loopback callers are served (others get 403); with it,
/// every request needs <c>Authorization: Bearer &lt;token&gt;</c> (401 without, 403 with a wrong one).
/// </summary>
internal sealed class AdminAuthorization(IOptions<NodeOptions> options) : IEndpointFilter
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.Value.Admin.Token);

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        HttpContext http = context.HttpContext;
        if (_token.Length == 0)
        {
            IPAddress? remote = http.Connection.RemoteIpAddress;
            if (remote is null || !IPAddress.IsLoopback(remote))
            {
                return Results.Problem("The admin API is served to loopback callers only unless Stt:Admin:Token is set.", statusCode: StatusCodes.Status403Forbidden);
            }

            return await next(context).ConfigureAwait(false);
        }

        string header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Results.Problem("Authorization: Bearer <token> is required.", statusCode: StatusCodes.Status401Unauthorized);
        }

        byte[] presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, _token))
        {
            return Results.Problem("The admin token is wrong.", statusCode: StatusCodes.Status403Forbidden);
        }

        return await next(context).ConfigureAwait(false);
    }
}

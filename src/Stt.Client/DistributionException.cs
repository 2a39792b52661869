using Stt.Protocol;
using Stt.Protocol.Distribution;

namespace Stt.Client;

/// <summary>
/// A distribution request failed on one stream: the node answered with a failure status (in the response header or an
/// ERROR message), abandoned the stream with a distribution error code, or sent something the client could not parse.
/// The session and other streams are unaffected.
/// </summary>
public sealed class DistributionException : SttException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The failure status; a status the client does not know is reported as <see cref="DistributionStatus.InternalError"/>.</param>
    /// <param name="serverMessage">The node's text for people (possibly empty), or the client's own description for a local failure.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public DistributionException(DistributionStatus status, string serverMessage, Exception? innerException = null)
        : base(FormatMessage(status, serverMessage), innerException)
    {
        Status = status;
        ServerMessage = serverMessage ?? string.Empty;
    }

    /// <summary>The failure status (never <see cref="DistributionStatus.Ok"/>).</summary>
    public DistributionStatus Status { get; }

    /// <summary>The node's text accompanying the status; never parsed, possibly empty.</summary>
    public string ServerMessage { get; }

    private static string FormatMessage(DistributionStatus status, string? text) =>
        string.IsNullOrEmpty(text) ? $"The node answered {status}." : $"The node answered {status}: {text}";
}

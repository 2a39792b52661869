using Stt.Protocol;

namespace Stt.Client;

/// <summary>
/// Content did not match its hash: a manifest whose SHA-256 is not the requested content ID, a chunk whose SHA-256 or
/// length does not match the manifest, or the node reporting <c>INTEGRITY_FAILURE</c> for data it stores. Nothing
/// unverified is ever written to the destination before this is thrown.
/// </summary>
public sealed class ContentIntegrityException : SttException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What did not match.</param>
    /// <param name="innerException">The underlying failure, if any (a <see cref="DistributionException"/> for a node-reported failure).</param>
    public ContentIntegrityException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The index of the chunk that failed verification; null when the failure concerns the manifest or is the node's report.</summary>
    public int? ChunkIndex { get; init; }
}

namespace Stt.Transport.Udp.Security;

/// <summary>
/// What a UDP endpoint does with a datagram that opens a handshake from a source it has no session for
/// (docs/protocol.md, section 15).
/// </summary>
/// <remarks>
/// The set of values is small and fixed, so it is safe as a metric tag: the endpoint counts each outcome.
/// Every <c>Drop</c> outcome is silent on the wire.
/// </remarks>
public enum HandshakeAdmission : byte
{
    /// <summary>Hand the HELLO to the session layer; the source is either below the retry threshold or proved its address.</summary>
    Admit = 0,

    /// <summary>Send the RETRY that was written, and keep nothing: the HELLO is forgotten.</summary>
    SendRetry = 1,

    /// <summary>The source IP (or IPv6 prefix) exceeded its handshake rate.</summary>
    DropRateLimited = 2,

    /// <summary>The endpoint already holds the maximum number of half-open handshakes.</summary>
    DropHalfOpenFull = 3,

    /// <summary>A COOKIE_HELLO whose token is forged, expired, minted for another address or handshake, or under a retired secret.</summary>
    DropBadToken = 4,

    /// <summary>Neither a well-formed HELLO nor a well-formed COOKIE_HELLO, or the source is not an IP address.</summary>
    DropMalformed = 5,
}

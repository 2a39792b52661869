namespace Stt.Protocol.Handshake;

/// <summary>
/// Outcome of feeding one handshake frame to <see cref="HandshakeInitiator"/> or <see cref="HandshakeResponder"/>
/// (docs/protocol.md, section 6, "Timers and failures").
/// </summary>
/// <remarks>
/// Every value from <see cref="BadFrame"/> on is a failure: nothing was written, nothing goes on the wire, and the state
/// machine is exactly as it was before the call (except <see cref="Timeout"/>, which is final). Report the reason in
/// metrics; never tell the peer.
/// </remarks>
public enum HandshakeStatus
{
    /// <summary>The message was accepted and the reply written; the handshake goes on.</summary>
    Continue = 0,

    /// <summary>The message was accepted and the handshake is complete; the session is Active.</summary>
    Complete = 1,

    /// <summary>A byte-identical repeat of the AUTH_PROOF already accepted: the same FINAL was written again.</summary>
    DuplicateAuthProof = 2,

    /// <summary><c>bad-frame</c>: the header or length breaks the rules for this message.</summary>
    BadFrame = 16,

    /// <summary><c>auth-failed</c>: the AEAD tag did not verify (wrong shared seed, tampering) or a DH result was zero.</summary>
    AuthFailed,

    /// <summary><c>bad-payload</c>: the decrypted payload is malformed (non-zero padding) or unusable.</summary>
    BadPayload,

    /// <summary><c>stale</c>: the HELLO timestamp is outside the freshness window.</summary>
    Stale,

    /// <summary><c>replay</c>: the HELLO's ephemeral key was seen within the replay cache's lifetime.</summary>
    Replay,

    /// <summary><c>replay-cache-full</c>: the replay cache is full of live entries, so no new HELLO can be admitted.</summary>
    ReplayCacheFull,

    /// <summary><c>unexpected</c>: the message is out of order, a duplicate, or arrived after the handshake ended.</summary>
    Unexpected,

    /// <summary><c>bad-signature</c>: the peer's Ed25519 signature over the handshake hash does not verify.</summary>
    BadSignature,

    /// <summary><c>node-id-mismatch</c>: SHA-256 of the peer's public key is not the node ID it sent in its Noise payload.</summary>
    NodeIdMismatch,

    /// <summary><c>timeout</c>: the handshake did not complete within the handshake timeout and was abandoned.</summary>
    Timeout,
}

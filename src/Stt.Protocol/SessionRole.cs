namespace Stt.Protocol;

/// <summary>Which side of the handshake a peer played; it fixes the parity of the stream IDs the peer opens.</summary>
/// <remarks>docs/protocol.md, section 11: the initiator opens odd stream IDs (1, 3, 5, …), the responder even ones (2, 4, …).</remarks>
public enum SessionRole
{
    /// <summary>The peer that sent HELLO. Opens odd stream IDs.</summary>
    Initiator,

    /// <summary>The peer that answered with RESPONSE. Opens even stream IDs.</summary>
    Responder,
}

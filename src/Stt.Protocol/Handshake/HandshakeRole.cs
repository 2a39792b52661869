namespace Stt.Protocol.Handshake;

/// <summary>Which side of the handshake a node played.</summary>
public enum HandshakeRole
{
    /// <summary>Sent HELLO and AUTH_PROOF.</summary>
    Initiator,

    /// <summary>Sent RESPONSE and FINAL.</summary>
    Responder,
}

namespace Stt.Protocol.Encoding;

/// <summary>The flags byte at offset 1 of every STT frame (docs/protocol.md, section "Flags").</summary>
[Flags]
public enum FrameFlags : byte
{
    /// <summary>No flag set.</summary>
    None = 0,

    /// <summary>Key phase of the sender's current key epoch (parity of the epoch number). Encrypted frames only.</summary>
    KeyPhase = 0x01,

    /// <summary>The last DATA frame of a stream: its offset plus its length is the stream's final size.</summary>
    Fin = 0x02,

    /// <summary>Set on HANDSHAKE and AUTH frames sent by the responder (RESPONSE and FINAL).</summary>
    FromResponder = 0x04,

    /// <summary>
    /// Reserved for encrypt-once channel fan-out (payload sealed under a channel key plus a per-session MAC).
    /// Version 1 peers never set it and reject a frame that carries it.
    /// </summary>
    ChannelSealed = 0x80,
}

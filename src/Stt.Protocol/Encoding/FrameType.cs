namespace Stt.Protocol.Encoding;

/// <summary>The type byte at offset 0 of every STT frame (docs/protocol.md, section "Frame types").</summary>
public enum FrameType : byte
{
    /// <summary>HELLO and RESPONSE: Noise NNpsk0 messages 1 and 2.</summary>
    Handshake = 0x01,

    /// <summary>Stream data: an offset and bytes of one user stream.</summary>
    Data = 0x02,

    /// <summary>Session control messages on stream 0 (PING, ACK, CLOSE, MAX_DATA, MAX_STREAMS).</summary>
    Control = 0x03,

    /// <summary>Control messages for one user stream (RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA).</summary>
    StreamControl = 0x04,

    /// <summary>AUTH_PROOF and FINAL: key confirmation with Ed25519 signatures over the handshake hash.</summary>
    Auth = 0x05,
}

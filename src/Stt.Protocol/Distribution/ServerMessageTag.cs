namespace Stt.Protocol.Distribution;

/// <summary>First byte of every server message after the response header (docs/distribution.md, section 4).</summary>
public enum ServerMessageTag : byte
{
    /// <summary>Data; the rest of the message depends on the request kind.</summary>
    Data = 0x00,

    /// <summary>The server sent everything it will send; no bytes follow the tag, and the server then finishes the stream.</summary>
    End = 0x01,

    /// <summary>The server stops early: a status and message follow, and the server then finishes the stream.</summary>
    Error = 0x02,
}

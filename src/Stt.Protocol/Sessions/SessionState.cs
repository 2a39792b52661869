namespace Stt.Protocol.Sessions;

/// <summary>The lifecycle of a session (docs/protocol.md, section 13).</summary>
public enum SessionState
{
    /// <summary>The four-message handshake is in progress.</summary>
    Handshake,

    /// <summary>Both peers are authenticated; streams carry data.</summary>
    Active,

    /// <summary>This side sent CLOSE and waits out the drain period before freeing the session.</summary>
    Closing,

    /// <summary>The session is over; it sends and accepts nothing more.</summary>
    Closed,
}

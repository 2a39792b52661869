using Stt.Protocol;

namespace Stt.Transport;

/// <summary>A session ended, or never became established: its handshake failed or timed out, or either side closed it.</summary>
public sealed class SessionClosedException : SttException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="closeCode">The code the session closed with.</param>
    /// <param name="closedByPeer">Whether the peer, rather than this side, closed it.</param>
    /// <param name="message">What happened.</param>
    public SessionClosedException(ProtocolErrorCode closeCode, bool closedByPeer, string message)
        : base(message)
    {
        CloseCode = closeCode;
        ClosedByPeer = closedByPeer;
    }

    /// <summary>The code the session closed with; <see cref="ProtocolErrorCode.HandshakeTimeout"/> when no handshake completed in time.</summary>
    public ProtocolErrorCode CloseCode { get; }

    /// <summary>Whether the peer closed the session.</summary>
    public bool ClosedByPeer { get; }
}

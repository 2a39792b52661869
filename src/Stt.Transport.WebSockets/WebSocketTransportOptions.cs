using Stt.Protocol.Encoding;
using Stt.Protocol.Sessions;

namespace Stt.Transport.WebSockets;

/// <summary>Settings of STT sessions carried over WebSocket connections.</summary>
public sealed record WebSocketTransportOptions
{
    /// <summary>Smallest frame size: room for a HELLO and a useful amount of stream data per frame.</summary>
    public const int MinFrameSize = 512;

    /// <summary>Largest frame size: the largest frame the protocol defines.</summary>
    public const int MaxFrameSizeLimit = FrameHeader.MaxBodyLength + FrameHeader.MaxSize;

    /// <summary>The defaults of every setting.</summary>
    public static WebSocketTransportOptions Default { get; } = new();

    /// <summary>Protocol settings of every session.</summary>
    /// <remarks>
    /// Defaults to <see cref="SessionOptions.Default"/>. <see cref="SessionOptions.MaxFrameBodyLength"/> is capped to what
    /// <see cref="MaxFrameSize"/> holds.
    /// </remarks>
    public SessionOptions Session { get; init; } = SessionOptions.Default;

    /// <summary>Largest WebSocket message, and so the largest frame, sent or accepted.</summary>
    /// <remarks>
    /// Defaults to 16,384 bytes; from 512 to <see cref="MaxFrameSizeLimit"/>. Security: a longer incoming message is never
    /// buffered whole: the WebSocket is closed with MessageTooBig (1009) and the session with it. A receive buffer of
    /// this size is rented only while a message is being read.
    /// </remarks>
    public int MaxFrameSize { get; init; } = 16 * 1024;

    /// <summary>Most bytes of frames waiting for the WebSocket to take them, per session.</summary>
    /// <remarks>
    /// Defaults to 1 MiB. A frame that would exceed it is dropped and counted, as the network drops a datagram: the
    /// session's loss recovery resends what it carried and its congestion control backs off, so memory stays bounded
    /// when the TCP connection cannot keep up. Must be at least <see cref="MaxFrameSize"/>.
    /// </remarks>
    public int SendQueueLimitBytes { get; init; } = 1024 * 1024;

    /// <summary>How long a handshake may take: connecting (initiator) or waiting for the HELLO (responder), then the STT handshake.</summary>
    /// <remarks>Defaults to 10 seconds. The shorter of this and the session's own handshake timeout applies.</remarks>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The session settings a session of these options uses: frames capped to <see cref="MaxFrameSize"/>.</summary>
    internal SessionOptions FrameSessionOptions => Session with
    {
        MaxFrameBodyLength = Math.Min(Session.MaxFrameBodyLength, MaxFrameSize - FrameHeader.MaxSize),
        Handshake = Session.Handshake.HandshakeTimeout <= HandshakeTimeout
            ? Session.Handshake
            : Session.Handshake with { HandshakeTimeout = HandshakeTimeout },
    };

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Session);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, MinFrameSize, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameSize, MaxFrameSizeLimit, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendQueueLimitBytes, MaxFrameSize, nameof(SendQueueLimitBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
    }
}

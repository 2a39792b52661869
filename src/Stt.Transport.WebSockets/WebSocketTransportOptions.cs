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

    /// <summary>
    /// The max ack delay of every session carried by WebSocket, in place of the 5 ms of UDP: 25 ms (docs/protocol.md,
    /// section 16). Both peers of a WebSocket session use it, so they agree on it as the protocol requires.
    /// </summary>
    /// <remarks>
    /// The short UDP constant exists so that loss is detected quickly; TCP below a WebSocket already recovers losses, so
    /// acknowledgements only release send buffers and measure the round trip, and a stream of 100 messages a second
    /// costs 40 acknowledgements a second instead of 100.
    /// </remarks>
    public static readonly TimeSpan MaxAckDelay = TimeSpan.FromMilliseconds(25);

    /// <summary>Ack-eliciting frames a WebSocket session receives before it acknowledges at once (at least this many).</summary>
    public const int AckElicitingThreshold = 10;

    /// <summary>
    /// The session settings a session of these options uses: frames capped to <see cref="MaxFrameSize"/>; acknowledgements
    /// after <see cref="MaxAckDelay"/> or <see cref="AckElicitingThreshold"/> frames; and no pacing: TCP below already
    /// paces and controls congestion on the wire, so the session's pacer would only hold frames back on timer wake-ups,
    /// adding latency and work per frame (docs/protocol.md, section 16).
    /// </summary>
    internal SessionOptions FrameSessionOptions => Session with
    {
        MaxFrameBodyLength = Math.Min(Session.MaxFrameBodyLength, MaxFrameSize - FrameHeader.MaxSize),
        Congestion = Session.Congestion.EnablePacing ? Session.Congestion with { EnablePacing = false } : Session.Congestion,
        Recovery = Session.Recovery with
        {
            MaxAckDelay = MaxAckDelay,
            AckElicitingThreshold = Math.Max(Session.Recovery.AckElicitingThreshold, AckElicitingThreshold),
        },
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

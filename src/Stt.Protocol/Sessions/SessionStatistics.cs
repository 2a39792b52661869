namespace Stt.Protocol.Sessions;

/// <summary>A snapshot of a session's counters (the statistics of the STT description, plus drops).</summary>
/// <param name="BytesSent">Frame bytes sent, headers and tags included.</param>
/// <param name="BytesReceived">Frame bytes received that authenticated.</param>
/// <param name="FramesSent">Frames sent.</param>
/// <param name="FramesReceived">Frames received that authenticated.</param>
/// <param name="MessagesSent">Application messages written.</param>
/// <param name="MessagesReceived">Application messages read.</param>
/// <param name="FramesDropped">Frames dropped: malformed, replayed, failing authentication, or unexpected.</param>
/// <param name="FramesRetransmitted">Frames declared lost whose content was queued again.</param>
/// <param name="CreatedAt">When the session object was created.</param>
/// <param name="LastActivityAt">When the last authenticated frame arrived.</param>
/// <param name="ActiveStreams">Streams not yet closed.</param>
/// <param name="SendKeyEpoch">Current key epoch of the send direction.</param>
/// <param name="ReceiveKeyEpoch">Current key epoch of the receive direction.</param>
/// <param name="SmoothedRtt">Smoothed round-trip time.</param>
/// <param name="CongestionWindow">Bytes the congestion controller lets be in flight.</param>
/// <param name="BytesInFlight">Bytes of ack-eliciting frames sent and not yet acknowledged or lost.</param>
/// <param name="MessagesDiscarded">Messages this side gave up on its live streams for being past their deadline.</param>
/// <param name="BytesDiscarded">Unacknowledged bytes of those messages.</param>
/// <param name="BytesSkipped">Stream bytes the peer's DISCARD messages made this side skip.</param>
public readonly record struct SessionStatistics(
    long BytesSent,
    long BytesReceived,
    long FramesSent,
    long FramesReceived,
    long MessagesSent,
    long MessagesReceived,
    long FramesDropped,
    long FramesRetransmitted,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivityAt,
    int ActiveStreams,
    ulong SendKeyEpoch,
    ulong ReceiveKeyEpoch,
    TimeSpan SmoothedRtt,
    long CongestionWindow,
    long BytesInFlight,
    long MessagesDiscarded,
    long BytesDiscarded,
    long BytesSkipped);

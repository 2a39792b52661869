namespace Stt.Protocol.Recovery;

/// <summary>What <see cref="SentFrameTracker{TPayload}.OnLossDetectionTimeout"/> asks the session to do.</summary>
public enum LossTimerOutcome
{
    /// <summary>The timer was not due, or nothing turned out to be lost: recompute the deadline and wait.</summary>
    None = 0,

    /// <summary>Frames were declared lost by the time threshold and reported to the sink.</summary>
    FramesLost = 1,

    /// <summary>
    /// The probe timeout expired: send one or two ack-eliciting frames now, even past the congestion window
    /// (new data, else the oldest unacknowledged data again, else PING). No frame is declared lost.
    /// </summary>
    SendProbes = 2,

    /// <summary>
    /// The probe timeout expired <see cref="RecoveryOptions.MaxConsecutivePtos"/> times in a row without an
    /// acknowledgement: the peer is unresponsive and the session closes.
    /// </summary>
    PeerUnresponsive = 3,
}

namespace Stt.Protocol.Recovery;

/// <summary>
/// Receives the outcome of sent frames from <see cref="SentFrameTracker{TPayload}"/>: each frame is reported
/// exactly once, as acknowledged or as lost, and never both.
/// </summary>
/// <typeparam name="TPayload">The session's descriptor of what a frame carried.</typeparam>
/// <remarks>
/// Implement it on a struct (or a ref struct over caller-owned spans) and pass it by reference, so that
/// reporting allocates nothing. Implementations must not call back into the tracker.
/// </remarks>
public interface ISentFrameSink<TPayload>
{
    /// <summary>
    /// The peer acknowledged <paramref name="frame"/> for the first time. The session tells the stream layer
    /// its data arrived, tells the sealer the sequence was acknowledged (key rotation), and, when the frame
    /// carried an ACK, calls <see cref="AckTracker.OnAckAcknowledged"/>.
    /// </summary>
    void OnFrameAcknowledged(in SentFrame<TPayload> frame);

    /// <summary>
    /// <paramref name="frame"/> is declared lost: what it carried that still matters is sent again in new frames
    /// with new sequence numbers. An acknowledgement that arrives for it later is ignored.
    /// </summary>
    void OnFrameLost(in SentFrame<TPayload> frame);
}

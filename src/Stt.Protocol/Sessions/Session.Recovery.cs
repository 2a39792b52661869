using Stt.Protocol.Recovery;
using Stt.Protocol.Sessions.Internal;
using Stt.Protocol.Streams;

namespace Stt.Protocol.Sessions;

public sealed partial class Session
{
    private void OnFrameAcknowledged(in SentFrame<SentPayload> frame, long now)
    {
        _sealer!.OnAcknowledged(frame.Sequence);
        if (frame.IsAckEliciting)
        {
            _congestion!.OnPacketAcked(frame.SentTimestamp, frame.Bytes, now);
        }

        SentPayload payload = frame.Payload;
        if (payload.CarriesAck)
        {
            _acks!.OnAckAcknowledged(payload.AckLargest);
        }

        if (State != SessionState.Active)
        {
            return;
        }

        switch (payload.Kind)
        {
            case SentPayloadKind.Data:
                _streams!.OnDataAcked(payload.StreamId, payload.Offset, payload.Length, payload.Fin);
                break;
            case SentPayloadKind.StreamControl:
                StreamControlItem item = payload.Control;
                _streams!.OnControlAcked(item);
                break;
            default:
                break;
        }
    }

    private void OnFrameLost(in SentFrame<SentPayload> frame, long now)
    {
        if (frame.IsAckEliciting)
        {
            _congestion!.OnPacketsLost(frame.SentTimestamp, frame.Bytes, now);
        }

        if (State != SessionState.Active)
        {
            return;
        }

        SentPayload payload = frame.Payload;
        switch (payload.Kind)
        {
            case SentPayloadKind.Data:
                _streams!.OnDataLost(payload.StreamId, payload.Offset, payload.Length, payload.Fin);
                break;
            case SentPayloadKind.StreamControl:
                StreamControlItem item = payload.Control;
                _streams!.OnControlLost(item);
                break;
            default:
                // PING, ACK and CLOSE are not repeated: a newer ACK or probe supersedes them.
                break;
        }
    }

    /// <summary>Routes the loss detector's verdicts to the sealer, the ACK tracker and the streams.</summary>
    private readonly struct RecoverySink(Session session, long now) : ISentFrameSink<SentPayload>
    {
        public void OnFrameAcknowledged(in SentFrame<SentPayload> frame) => session.OnFrameAcknowledged(frame, now);

        public void OnFrameLost(in SentFrame<SentPayload> frame) => session.OnFrameLost(frame, now);
    }

    // The pacing rate follows the congestion window and the smoothed RTT after every ACK and loss pass.
    private void UpdatePacer() => _pacer!.Update(_congestion!.CongestionWindow, _sent!.Rtt.SmoothedRtt);
}

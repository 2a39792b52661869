using System.Runtime.InteropServices;

namespace Stt.Protocol.Recovery;

/// <summary>What the send side remembers of one sealed frame.</summary>
/// <typeparam name="TPayload">
/// The session's descriptor of what the frame carried (stream ranges, control messages, the largest
/// sequence of an ACK), typically a small struct or an index into session-owned storage.
/// </typeparam>
/// <param name="Sequence">The frame's sequence number.</param>
/// <param name="SentTimestamp">When the frame was sent (<see cref="TimeProvider.GetTimestamp"/>).</param>
/// <param name="Bytes">Size the frame counts for in <see cref="SentFrameTracker{TPayload}.BytesInFlight"/>.</param>
/// <param name="IsAckEliciting">Whether the frame carries anything besides ACK and CLOSE messages.</param>
/// <param name="Payload">The session's descriptor.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct SentFrame<TPayload>(
    ulong Sequence,
    long SentTimestamp,
    int Bytes,
    bool IsAckEliciting,
    TPayload Payload);

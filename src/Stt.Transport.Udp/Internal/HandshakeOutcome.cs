using Stt.Protocol.Handshake;

namespace Stt.Transport.Udp.Internal;

/// <summary>The values of the <c>role</c> and <c>result</c> tags of <see cref="UdpMetrics.Handshakes"/>.</summary>
internal static class HandshakeOutcome
{
    public const string Initiator = "initiator";
    public const string Responder = "responder";

    public const string Completed = "completed";
    public const string Timeout = "timeout";
    public const string Abandoned = "abandoned";
    public const string HalfOpenFull = "half-open-full";
    public const string RetrySent = "retry-sent";
    public const string RetryReceived = "retry-received";

    /// <summary>The reasons of docs/protocol.md, section 6, "Timers and failures".</summary>
    public static string For(HandshakeStatus status) => status switch
    {
        HandshakeStatus.BadFrame => "bad-frame",
        HandshakeStatus.AuthFailed => "auth-failed",
        HandshakeStatus.BadPayload => "bad-payload",
        HandshakeStatus.Stale => "stale",
        HandshakeStatus.Replay => "replay",
        HandshakeStatus.ReplayCacheFull => "replay-cache-full",
        HandshakeStatus.BadSignature => "bad-signature",
        HandshakeStatus.NodeIdMismatch => "node-id-mismatch",
        HandshakeStatus.Timeout => Timeout,
        _ => "unexpected",
    };
}

using Stt.Protocol.Handshake;
using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Security;

namespace Stt.Transport.Udp.Internal;

/// <summary>The values of the <c>reason</c> tag of <see cref="UdpMetrics.DatagramsDropped"/>.</summary>
internal static class DropReason
{
    public const string UnknownSession = "unknown-session";
    public const string Malformed = "malformed";
    public const string Oversize = "oversize";
    public const string AuthFailed = "auth-failed";
    public const string Replay = "replay";
    public const string KeyExpired = "key-expired";
    public const string Unexpected = "unexpected";
    public const string HandshakeRejected = "handshake-rejected";
    public const string SessionClosed = "session-closed";
    public const string HalfOpenFull = "half-open-full";
    public const string ShuttingDown = "shutting-down";
    public const string SendError = "send-error";
    public const string Impairment = "impairment";
    public const string RateLimited = "rate-limited";
    public const string BadToken = "bad-token";
    public const string AmplificationLimit = "amplification-limit";

    public static string For(SessionReceiveStatus status) => status switch
    {
        SessionReceiveStatus.Malformed => Malformed,
        SessionReceiveStatus.WrongSession => UnknownSession,
        SessionReceiveStatus.AuthFailed => AuthFailed,
        SessionReceiveStatus.Replay => Replay,
        SessionReceiveStatus.KeyExpired => KeyExpired,
        SessionReceiveStatus.HandshakeRejected => HandshakeRejected,
        SessionReceiveStatus.Closed => SessionClosed,
        _ => Unexpected,
    };

    public static string For(HandshakeStatus status) => status switch
    {
        HandshakeStatus.BadFrame => Malformed,
        HandshakeStatus.AuthFailed => AuthFailed,
        HandshakeStatus.Replay or HandshakeStatus.ReplayCacheFull => Replay,
        _ => HandshakeRejected,
    };

    public static string For(HandshakeAdmission admission) => admission switch
    {
        HandshakeAdmission.DropRateLimited => RateLimited,
        HandshakeAdmission.DropHalfOpenFull => HalfOpenFull,
        HandshakeAdmission.DropBadToken => BadToken,
        HandshakeAdmission.DropMalformed => Malformed,
        _ => Unexpected,
    };
}

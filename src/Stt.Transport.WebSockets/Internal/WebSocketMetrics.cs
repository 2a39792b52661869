using System.Diagnostics.Metrics;
using Stt.Protocol.Handshake;
using Stt.Protocol.Sessions;

namespace Stt.Transport.WebSockets.Internal;

/// <summary>The assembly's one meter and its instruments. Tag values come from fixed sets, never from the wire.</summary>
internal static class WebSocketMetrics
{
    public const string MeterName = "Stt.Transport.WebSockets";

    public const string Malformed = "malformed";
    public const string Unauthenticated = "unauthenticated";
    public const string Replay = "replay";
    public const string Unexpected = "unexpected";
    public const string SendQueueFull = "send_queue_full";
    public const string TooLarge = "too_large";
    public const string TextMessage = "text_message";
    public const string SendError = "send_error";

    public const string Initiator = "initiator";
    public const string Responder = "responder";
    public const string Completed = "completed";
    public const string Rejected = "rejected";
    public const string Timeout = "timeout";
    public const string Abandoned = "abandoned";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> MessagesReceived =
        Meter.CreateCounter<long>("stt.websocket.messages.received", "{message}", "Binary WebSocket messages read, one frame each.");

    public static readonly Counter<long> BytesReceived =
        Meter.CreateCounter<long>("stt.websocket.bytes.received", "By", "Bytes of the binary messages read.");

    public static readonly Counter<long> MessagesSent =
        Meter.CreateCounter<long>("stt.websocket.messages.sent", "{message}", "Binary WebSocket messages sent, one frame each.");

    public static readonly Counter<long> BytesSent =
        Meter.CreateCounter<long>("stt.websocket.bytes.sent", "By", "Bytes of the binary messages sent.");

    public static readonly Counter<long> FramesDropped =
        Meter.CreateCounter<long>("stt.websocket.frames.dropped", "{frame}", "Frames or messages discarded, by reason.");

    public static readonly Counter<long> Handshakes =
        Meter.CreateCounter<long>("stt.websocket.handshakes", "{handshake}", "Handshakes that ended, by role and result.");

    public static readonly UpDownCounter<long> SessionsActive =
        Meter.CreateUpDownCounter<long>("stt.websocket.sessions.active", "{session}", "Sessions past the handshake and not yet freed.");

    public static readonly UpDownCounter<long> SendQueueBytes =
        Meter.CreateUpDownCounter<long>("stt.websocket.send_queue.bytes", "By", "Bytes of sealed frames waiting in the sessions' send queues for their WebSocket.");

    public static void Dropped(string reason) =>
        FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void Handshake(string role, string result) =>
        Handshakes.Add(1, new KeyValuePair<string, object?>("role", role), new KeyValuePair<string, object?>("result", result));

    public static string For(SessionReceiveStatus status) => status switch
    {
        SessionReceiveStatus.Malformed => Malformed,
        SessionReceiveStatus.AuthFailed => Unauthenticated,
        SessionReceiveStatus.Replay => Replay,
        _ => Unexpected,
    };

    public static string For(HandshakeStatus status) => status switch
    {
        HandshakeStatus.BadFrame => Malformed,
        HandshakeStatus.AuthFailed => Unauthenticated,
        HandshakeStatus.Replay or HandshakeStatus.ReplayCacheFull => Replay,
        _ => Rejected,
    };
}

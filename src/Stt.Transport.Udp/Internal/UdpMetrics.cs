using System.Diagnostics.Metrics;

namespace Stt.Transport.Udp.Internal;

/// <summary>The assembly's one meter and its instruments. Tag values come from fixed sets, never from the wire.</summary>
internal static class UdpMetrics
{
    public const string MeterName = "Stt.Transport.Udp";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> DatagramsReceived =
        Meter.CreateCounter<long>("stt.udp.datagrams.received", "{datagram}", "Datagrams read from the socket.");

    public static readonly Counter<long> BytesReceived =
        Meter.CreateCounter<long>("stt.udp.bytes.received", "By", "UDP payload bytes read from the socket.");

    public static readonly Counter<long> DatagramsSent =
        Meter.CreateCounter<long>("stt.udp.datagrams.sent", "{datagram}", "Datagrams handed to the socket.");

    public static readonly Counter<long> BytesSent =
        Meter.CreateCounter<long>("stt.udp.bytes.sent", "By", "UDP payload bytes handed to the socket.");

    public static readonly Counter<long> DatagramsDropped =
        Meter.CreateCounter<long>("stt.udp.datagrams.dropped", "{datagram}", "Datagrams discarded, by reason.");

    public static readonly Counter<long> Handshakes =
        Meter.CreateCounter<long>("stt.udp.handshakes", "{handshake}", "Handshakes that ended, by role and result.");

    public static readonly UpDownCounter<long> SessionsActive =
        Meter.CreateUpDownCounter<long>("stt.udp.sessions.active", "{session}", "Sessions past the handshake and not yet freed.");

    public static readonly Counter<long> Migrations =
        Meter.CreateCounter<long>("stt.udp.migrations", "{migration}", "Sessions whose peer address changed.");

    public static void Dropped(string reason, long count = 1) =>
        DatagramsDropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public static void Handshake(string role, string result) =>
        Handshakes.Add(1, new KeyValuePair<string, object?>("role", role), new KeyValuePair<string, object?>("result", result));
}

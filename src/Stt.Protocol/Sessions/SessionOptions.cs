using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Protection;
using Stt.Protocol.Recovery;
using Stt.Protocol.Recovery.Congestion;
using Stt.Protocol.Streams;

namespace Stt.Protocol.Sessions;

/// <summary>Protocol-level settings of a session.</summary>
public sealed record SessionOptions
{
    /// <summary>The defaults of every setting.</summary>
    public static SessionOptions Default { get; } = new();

    /// <summary>Handshake freshness window, timeout and replay cache.</summary>
    /// <remarks>Defaults to <see cref="HandshakeOptions.Default"/>.</remarks>
    public HandshakeOptions Handshake { get; init; } = HandshakeOptions.Default;

    /// <summary>Key rotation thresholds, grace period and AEAD limits.</summary>
    /// <remarks>Defaults to <see cref="FrameProtectionOptions.Default"/>.</remarks>
    public FrameProtectionOptions Protection { get; init; } = FrameProtectionOptions.Default;

    /// <summary>ACK policy, RTT estimation and loss detection.</summary>
    /// <remarks>Defaults to <see cref="RecoveryOptions.Default"/>.</remarks>
    public RecoveryOptions Recovery { get; init; } = RecoveryOptions.Default;

    /// <summary>Congestion window and pacing.</summary>
    /// <remarks>
    /// Defaults to <see cref="CongestionOptions.Default"/> (NewReno, paced, 1200-byte datagrams). Transports set
    /// <see cref="CongestionOptions.MaxDatagramSize"/> to their frame size.
    /// </remarks>
    public CongestionOptions Congestion { get; init; } = CongestionOptions.Default;

    /// <summary>Stream limits and flow-control windows.</summary>
    /// <remarks>Defaults to <see cref="StreamOptions.Default"/>.</remarks>
    public StreamOptions Streams { get; init; } = StreamOptions.Default;

    /// <summary>Largest frame body this side accepts.</summary>
    /// <remarks>
    /// Defaults to <see cref="FrameHeader.MaxBodyLength"/> (2 MiB). Security: a transport with a smaller unit (a UDP
    /// datagram budget) sets its own size here so a peer cannot make the node buffer more than one unit per frame.
    /// </remarks>
    public int MaxFrameBodyLength { get; init; } = FrameHeader.MaxBodyLength;

    /// <summary>Length the initiator pads its HELLO frame to, so a RESPONSE never exceeds it.</summary>
    /// <remarks>Defaults to 0 (no padding); UDP transports set their datagram budget.</remarks>
    public int HelloPaddedLength { get; init; }

    /// <summary>First interval after which an unanswered HELLO or AUTH_PROOF is sent again; it doubles each time.</summary>
    /// <remarks>Defaults to 1 second. The attempt ends at <see cref="HandshakeOptions.HandshakeTimeout"/>.</remarks>
    public TimeSpan HandshakeRetransmitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Silence after which a PING is sent to keep the session alive.</summary>
    /// <remarks>Defaults to 15 seconds.</remarks>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Time without any authenticated frame after which the session closes silently.</summary>
    /// <remarks>Defaults to 60 seconds. Security: bounds how long a vanished peer holds session state.</remarks>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

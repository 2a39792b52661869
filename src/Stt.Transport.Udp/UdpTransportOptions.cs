using Stt.Protocol.Sessions;
using Stt.Transport.Udp.Impairment;
using Stt.Transport.Udp.Security;

namespace Stt.Transport.Udp;

/// <summary>Settings of a UDP endpoint.</summary>
public sealed record UdpTransportOptions
{
    /// <summary>Smallest datagram budget: room for a padded HELLO and a useful amount of stream data per frame.</summary>
    public const int MinDatagramBudget = 512;

    /// <summary>Largest datagram budget: the largest UDP payload over IPv4.</summary>
    public const int MaxDatagramBudget = 65_507;

    /// <summary>The defaults of every setting.</summary>
    public static UdpTransportOptions Default { get; } = new();

    /// <summary>Largest UDP payload this endpoint sends, and the frame size its sessions use.</summary>
    /// <remarks>
    /// Defaults to 1200 bytes, which crosses any path with a 1280-byte IPv6 MTU without IP fragmentation. Up to 65,507
    /// on links that allow it. Security: HELLOs are padded to this size minus the 44 bytes a COOKIE_HELLO adds
    /// (docs/protocol.md, section 15.1), so a RESPONSE is never larger than its HELLO and a COOKIE_HELLO still fits.
    /// </remarks>
    public int DatagramBudget { get; init; } = 1200;

    /// <summary>Protocol settings of every session of the endpoint.</summary>
    /// <remarks>
    /// Defaults to <see cref="SessionOptions.Default"/>. The endpoint overrides <see cref="SessionOptions.HelloPaddedLength"/>
    /// with <see cref="DatagramBudget"/> minus 44 and caps <see cref="SessionOptions.MaxFrameBodyLength"/> to what one datagram holds.
    /// </remarks>
    public SessionOptions Session { get; init; } = SessionOptions.Default;

    /// <summary>Whether an IPv6 socket also carries IPv4 traffic (IPv4-mapped addresses).</summary>
    /// <remarks>Defaults to false. Ignored for an IPv4 local end point.</remarks>
    public bool DualMode { get; init; }

    /// <summary>The socket's receive buffer (SO_RCVBUF), in bytes; null keeps the operating system's default.</summary>
    /// <remarks>
    /// Defaults to null. The kernel caps the value (net.core.rmem_max on Linux). A larger buffer absorbs bursts that arrive
    /// while the receive loop is busy decrypting.
    /// </remarks>
    public int? ReceiveBufferSize { get; init; }

    /// <summary>The socket's send buffer (SO_SNDBUF), in bytes; null keeps the operating system's default.</summary>
    /// <remarks>Defaults to null. The kernel caps the value (net.core.wmem_max on Linux).</remarks>
    public int? SendBufferSize { get; init; }

    /// <summary>Whether datagrams are sent in batches, many per system call (<c>sendmmsg</c>), where the platform allows it.</summary>
    /// <remarks>
    /// Defaults to true; it takes effect on 64-bit Linux only. A datagram waits at most for the thread pool to run the
    /// batch's flush (microseconds when idle); under load, batches fill from every session of the endpoint and the cost
    /// per datagram falls by more than half. False sends each datagram with its own <c>sendto</c> at once.
    /// </remarks>
    public bool BatchSends { get; init; } = true;

    /// <summary>Address validation, per-source rate limits and the half-open cap applied to inbound handshakes.</summary>
    /// <remarks>
    /// Defaults to <see cref="HandshakeGuardOptions.Default"/>. <see cref="HandshakeGuardOptions.MaxHalfOpen"/> is the
    /// endpoint's one bound on inbound sessions whose handshake is still in progress. Security: every HELLO and
    /// COOKIE_HELLO from a source without a session is decided on by these limits before any Diffie-Hellman
    /// (docs/protocol.md, section 15.3).
    /// </remarks>
    public HandshakeGuardOptions HandshakeGuard { get; init; } = HandshakeGuardOptions.Default;

    /// <summary>How long an inbound handshake may stay unfinished before its state is freed.</summary>
    /// <remarks>
    /// Defaults to 10 seconds (the protocol's handshake timeout); the shorter of this and
    /// <see cref="Stt.Protocol.Handshake.HandshakeOptions.HandshakeTimeout"/> applies. Security: bounds how long a
    /// half-open session occupies one of the <see cref="HandshakeGuardOptions.MaxHalfOpen"/> slots.
    /// </remarks>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most established inbound sessions waiting for <see cref="UdpEndpoint.AcceptAsync"/>.</summary>
    /// <remarks>Defaults to 128. A session that completes its handshake while the backlog is full is closed.</remarks>
    public int AcceptBacklog { get; init; } = 128;

    /// <summary>Artificial loss, reordering, duplication and corruption applied to received datagrams, for tests.</summary>
    /// <remarks>Defaults to null: no impairment, and no cost on the receive path.</remarks>
    public DatagramImpairment? Impairment { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(DatagramBudget, MinDatagramBudget, nameof(DatagramBudget));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DatagramBudget, MaxDatagramBudget, nameof(DatagramBudget));
        ArgumentNullException.ThrowIfNull(Session);
        ArgumentNullException.ThrowIfNull(HandshakeGuard);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HalfOpenTimeout, TimeSpan.Zero, nameof(HalfOpenTimeout));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AcceptBacklog, nameof(AcceptBacklog));
        if (ReceiveBufferSize is { } receive)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(receive, nameof(ReceiveBufferSize));
        }

        if (SendBufferSize is { } send)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(send, nameof(SendBufferSize));
        }

        Impairment?.Validate();
    }
}

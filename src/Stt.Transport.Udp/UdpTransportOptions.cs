namespace Stt.Transport.Udp;

/// <summary>Settings of a UDP endpoint.</summary>
public sealed record UdpTransportOptions
{
    /// <summary>The defaults of every setting.</summary>
    public static UdpTransportOptions Default { get; } = new();

    /// <summary>Largest UDP payload this endpoint sends, and the frame size its sessions use.</summary>
    /// <remarks>
    /// Defaults to 1200 bytes, which crosses any path with a 1280-byte IPv6 MTU without IP fragmentation. Up to 65,507
    /// on links that allow it. Security: HELLOs are padded to this size, so a RESPONSE is never larger than its HELLO.
    /// </remarks>
    public int DatagramBudget { get; init; } = 1200;
}

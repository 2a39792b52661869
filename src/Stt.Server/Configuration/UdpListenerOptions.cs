namespace Stt.Server.Configuration;

/// <summary>The node's UDP endpoint (<c>Stt:Udp</c>).</summary>
internal sealed class UdpListenerOptions
{
    /// <summary>Whether the node listens on UDP at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The address to bind: an IPv4 or IPv6 literal; <c>::</c> binds dual-stack.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The UDP port; 0 picks a free one (logged at start).</summary>
    public int Port { get; set; } = 7447;

    /// <summary>The UDP payload budget per datagram, 512..65,507 bytes.</summary>
    public int DatagramBudget { get; set; } = 1200;

    /// <summary>The socket's receive buffer in bytes; 0 keeps the operating system's default.</summary>
    public int ReceiveBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The socket's send buffer in bytes; 0 keeps the operating system's default.</summary>
    public int SendBufferSize { get; set; } = 4 * 1024 * 1024;
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Stt.Transport.Udp.Security.Internal;

/// <summary>Reads the IP address and port of a datagram's source in place, without building an <see cref="IPEndPoint"/>.</summary>
internal static class SourceAddress
{
    /// <summary>Longest address <see cref="TryRead"/> returns: an IPv6 address.</summary>
    public const int MaxLength = 16;

    // A SocketAddress holds the native sockaddr (RFC 3493, section 3.3): the port, in network byte order, at offset 2 for
    // both families; the IPv4 address at offset 4 (sockaddr_in); the IPv6 address at offset 8, after the flow info
    // (sockaddr_in6). Linux, Windows and macOS lay both structures out this way.
    private const int PortOffset = 2;
    private const int Ipv4Offset = 4;
    private const int Ipv6Offset = 8;

    /// <summary>Reads the source address and port.</summary>
    /// <param name="source">A socket address as the receive call filled it.</param>
    /// <param name="address">4 bytes for IPv4 (an IPv4-mapped IPv6 address is reduced to its IPv4 part, so a dual-mode socket
    /// and an IPv4 socket see the same source), 16 bytes for IPv6; a view of <paramref name="source"/>'s buffer.</param>
    /// <param name="port">The source port.</param>
    /// <returns>False when the address is neither IPv4 nor IPv6, or too short to hold one.</returns>
    public static bool TryRead(SocketAddress source, out ReadOnlySpan<byte> address, out ushort port)
    {
        ReadOnlySpan<byte> raw = source.Buffer.Span[..source.Size];
        switch (source.Family)
        {
            case AddressFamily.InterNetwork when raw.Length >= Ipv4Offset + 4:
                address = raw.Slice(Ipv4Offset, 4);
                break;
            case AddressFamily.InterNetworkV6 when raw.Length >= Ipv6Offset + MaxLength:
                address = raw.Slice(Ipv6Offset, MaxLength);
                if (IsIpv4Mapped(address))
                {
                    address = address[12..];
                }

                break;
            default:
                address = default;
                port = 0;
                return false;
        }

        port = BinaryPrimitives.ReadUInt16BigEndian(raw[PortOffset..]);
        return true;
    }

    // ::ffff:a.b.c.d (RFC 4291, section 2.5.5.2).
    private static bool IsIpv4Mapped(ReadOnlySpan<byte> ipv6) =>
        BinaryPrimitives.ReadUInt64LittleEndian(ipv6) == 0 && ipv6[8] == 0 && ipv6[9] == 0 && ipv6[10] == 0xFF && ipv6[11] == 0xFF;
}

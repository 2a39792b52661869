using System.Net;
using System.Net.Sockets;
using Stt.Transport.Udp.Security.Internal;
using Xunit;

namespace Stt.Transport.Udp.Tests.Security.Internal;

public sealed class SourceAddressTests
{
    [Fact]
    public void TryRead_Ipv4_ReturnsAddressAndPort()
    {
        Assert.True(SourceAddress.TryRead(SecurityTestData.Source("192.0.2.7", 40_001), out ReadOnlySpan<byte> address, out ushort port));
        Assert.Equal(new byte[] { 192, 0, 2, 7 }, address.ToArray());
        Assert.Equal(40_001, port);
    }

    [Fact]
    public void TryRead_Ipv6_ReturnsSixteenBytesAndPort()
    {
        Assert.True(SourceAddress.TryRead(SecurityTestData.Source("2001:db8::1:2", 443), out ReadOnlySpan<byte> address, out ushort port));
        Assert.Equal(IPAddress.Parse("2001:db8::1:2").GetAddressBytes(), address.ToArray());
        Assert.Equal(443, port);
    }

    [Fact]
    public void TryRead_Ipv4MappedIpv6_ReturnsIpv4Bytes()
    {
        Assert.True(SourceAddress.TryRead(SecurityTestData.Source("::ffff:192.0.2.7", 9), out ReadOnlySpan<byte> address, out ushort port));
        Assert.Equal(new byte[] { 192, 0, 2, 7 }, address.ToArray());
        Assert.Equal(9, port);
    }

    [Fact]
    public void TryRead_UnixDomainSocket_ReturnsFalse()
    {
        var unix = new UnixDomainSocketEndPoint("/tmp/stt-test.sock").Serialize();
        Assert.False(SourceAddress.TryRead(unix, out ReadOnlySpan<byte> address, out _));
        Assert.True(address.IsEmpty);
    }

    [Fact]
    public void TryRead_TruncatedIpv6_ReturnsFalse()
    {
        var source = new SocketAddress(AddressFamily.InterNetworkV6, 28) { Size = 20 };
        Assert.False(SourceAddress.TryRead(source, out _, out _));
    }
}

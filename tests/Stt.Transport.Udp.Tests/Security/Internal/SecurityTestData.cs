using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Crypto;
using Stt.Protocol.Encoding;

namespace Stt.Transport.Udp.Tests.Security.Internal;

/// <summary>Frames, addresses and clocks shared by the address-validation tests.</summary>
internal static class SecurityTestData
{
    /// <summary>A time at the start of a 10-second bucket: 2026-11-30 12:00:00 UTC.</summary>
    public static readonly DateTimeOffset BucketStart = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(BucketStart);

    public static SocketAddress Source(string address, int port) => new IPEndPoint(IPAddress.Parse(address), port).Serialize();

    public static byte[] Ip(string address)
    {
        var ip = IPAddress.Parse(address);
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().GetAddressBytes() : ip.GetAddressBytes();
    }

    /// <summary>A HELLO frame whose header follows section 3; its body is filler, since the guard never decrypts.</summary>
    public static byte[] Hello(ulong handshakeId, int length = 1156)
    {
        byte[] frame = new byte[length];
        var header = new FrameHeader(FrameType.Handshake, FrameFlags.None, handshakeId, 0, length - 23, 0);
        FrameWriter.WriteHeader(frame, header);
        frame.AsSpan(23).Fill(0x5A);
        return frame;
    }

    /// <summary>A COOKIE_HELLO around any frame, built without the codec's checks, for inputs the codec refuses to write.</summary>
    public static byte[] CookieHelloUnchecked(byte[] frame, ReadOnlySpan<byte> token)
    {
        byte[] wrapped = new byte[frame.Length + 44];
        wrapped[0] = 0x08;
        frame.AsSpan(2, 8).CopyTo(wrapped.AsSpan(2));
        BinaryPrimitives.WriteUInt32BigEndian(wrapped.AsSpan(18), (uint)(wrapped.Length - 23));
        token.CopyTo(wrapped.AsSpan(23));
        frame.CopyTo(wrapped, 44);
        return wrapped;
    }

    /// <summary>The 4-byte IPv4 address 10.x.y.z for a counter.</summary>
    public static void SpoofedIpv4(uint counter, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0x0A00_0000u + counter);

    /// <summary>Fills every request with the same byte, so secrets are known.</summary>
    public sealed class FixedRandomSource(byte value) : RandomSource
    {
        public override void Fill(Span<byte> destination) => destination.Fill(value);
    }
}

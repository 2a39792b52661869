using System.Buffers;
using System.Buffers.Binary;
using Stt.Protocol.Encoding;

namespace Stt.Transport.Udp.Security.Internal;

// RETRY and COOKIE_HELLO (docs/protocol.md, section 15.1): transport-only frames with the section 3 header.
//
//  0        1        2                        10                       18                22       23
// +--------+--------+------------------------+------------------------+-----------------+--------+
// |  type  | flags  |  handshake ID (8)      | sequence = 0 (u64)     | body length u32 | 0x00   |
// +--------+--------+------------------------+------------------------+-----------------+--------+
//
// RETRY        type 0x07, flags 0x04 (FROM_RESPONDER), body = token (21)                          44 bytes in all
// COOKIE_HELLO type 0x08, flags 0x00,                  body = token (21) || HELLO frame (>= 143)  HELLO + 44 bytes
//
// The stream ID is 0, so its varint is the single byte 0x00 and the header is always 23 bytes.

/// <summary>Writes and reads RETRY and COOKIE_HELLO frames (docs/protocol.md, section 15.1).</summary>
/// <remarks>Pure functions over spans: nothing is allocated, kept or thrown on what a peer sent.</remarks>
internal static class RetryFrames
{
    /// <summary>Frame type of RETRY.</summary>
    public const byte RetryType = 0x07;

    /// <summary>Frame type of COOKIE_HELLO.</summary>
    public const byte CookieHelloType = 0x08;

    /// <summary>Header length of both frames: the fixed 22 bytes and a one-byte stream ID 0.</summary>
    public const int HeaderLength = FrameHeader.FixedSize + 1;

    /// <summary>Length of every RETRY.</summary>
    public const int RetryLength = HeaderLength + RetryTokenIssuer.TokenLength;

    /// <summary>Bytes a COOKIE_HELLO adds to the HELLO it carries. A UDP initiator pads HELLO to the datagram budget minus this.</summary>
    public const int CookieHelloOverhead = HeaderLength + RetryTokenIssuer.TokenLength;

    /// <summary>Shortest HELLO frame: 23-byte header, e.public (32), an empty-padded payload (72) and its tag (16).</summary>
    public const int MinHelloLength = HeaderLength + 32 + 72 + 16;

    private const int SessionIdOffset = 2;
    private const int SequenceOffset = 10;
    private const int BodyLengthOffset = 18;
    private const byte FromResponder = (byte)FrameFlags.FromResponder;

    /// <summary>Writes the RETRY that answers a HELLO.</summary>
    /// <param name="handshakeId">The HELLO's handshake ID.</param>
    /// <param name="token">A token from <see cref="RetryTokenIssuer.Mint"/>.</param>
    /// <param name="helloLength">Length of the HELLO being answered; the RETRY is never longer.</param>
    /// <param name="destination">Receives <see cref="RetryLength"/> bytes.</param>
    /// <returns><see cref="RetryLength"/>.</returns>
    /// <exception cref="ArgumentException">The token is not <see cref="RetryTokenIssuer.TokenLength"/> bytes, the
    /// destination is too short, or the HELLO is shorter than the RETRY would be.</exception>
    public static int WriteRetry(ulong handshakeId, ReadOnlySpan<byte> token, int helloLength, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(token.Length, RetryTokenIssuer.TokenLength, nameof(token));
        ArgumentOutOfRangeException.ThrowIfLessThan(helloLength, RetryLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, RetryLength, nameof(destination));
        WriteHeader(destination, RetryType, FromResponder, handshakeId, RetryTokenIssuer.TokenLength);
        token.CopyTo(destination[HeaderLength..]);
        return RetryLength;
    }

    /// <summary>Reads a RETRY on the initiator side.</summary>
    /// <param name="datagram">The whole received datagram.</param>
    /// <param name="expectedHandshakeId">The handshake ID of the HELLO this initiator sent.</param>
    /// <param name="token">On success, the token to echo in COOKIE_HELLO: a view of <paramref name="datagram"/>.</param>
    /// <returns>True when the datagram is exactly one well-formed RETRY for <paramref name="expectedHandshakeId"/>.</returns>
    public static bool TryReadRetry(ReadOnlySpan<byte> datagram, ulong expectedHandshakeId, out ReadOnlySpan<byte> token)
    {
        token = default;
        if (datagram.Length != RetryLength
            || !TryReadHeader(datagram, RetryType, FromResponder, out ulong handshakeId)
            || handshakeId != expectedHandshakeId)
        {
            return false;
        }

        token = datagram[HeaderLength..];
        return true;
    }

    /// <summary>Wraps a HELLO and a token from RETRY into a COOKIE_HELLO.</summary>
    /// <param name="hello">The complete HELLO frame, exactly as first sent.</param>
    /// <param name="token">The token from <see cref="TryReadRetry"/>.</param>
    /// <param name="destination">Receives <paramref name="hello"/>'s length plus <see cref="CookieHelloOverhead"/> bytes.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="hello"/> is not a HELLO frame, the token has the wrong length,
    /// or the destination is too short.</exception>
    public static int WrapHello(ReadOnlySpan<byte> hello, ReadOnlySpan<byte> token, Span<byte> destination)
    {
        if (!IsHello(hello, out ulong handshakeId))
        {
            throw new ArgumentException("Not a complete HELLO frame.", nameof(hello));
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(token.Length, RetryTokenIssuer.TokenLength, nameof(token));
        int length = CookieHelloOverhead + hello.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, length, nameof(destination));
        WriteHeader(destination, CookieHelloType, 0, handshakeId, length - HeaderLength);
        token.CopyTo(destination[HeaderLength..]);
        hello.CopyTo(destination[CookieHelloOverhead..]);
        return length;
    }

    /// <summary>Reads a COOKIE_HELLO on the responder side.</summary>
    /// <param name="datagram">The whole received datagram.</param>
    /// <param name="handshakeId">On success, the handshake ID of both the wrapper and the inner HELLO.</param>
    /// <param name="token">On success, where the token is in <paramref name="datagram"/>.</param>
    /// <param name="hello">On success, where the inner HELLO frame is in <paramref name="datagram"/>.</param>
    /// <returns>True when the datagram is exactly one COOKIE_HELLO holding exactly one valid HELLO header with the same
    /// handshake ID. The token is not checked here.</returns>
    public static bool TryUnwrapCookieHello(ReadOnlySpan<byte> datagram, out ulong handshakeId, out Range token, out Range hello)
    {
        token = default;
        hello = default;
        if (datagram.Length < CookieHelloOverhead + MinHelloLength
            || !TryReadHeader(datagram, CookieHelloType, 0, out handshakeId)
            || !IsHello(datagram[CookieHelloOverhead..], out ulong innerHandshakeId)
            || innerHandshakeId != handshakeId)
        {
            handshakeId = 0;
            return false;
        }

        token = HeaderLength..CookieHelloOverhead;
        hello = CookieHelloOverhead..datagram.Length;
        return true;
    }

    /// <summary>Whether <paramref name="frame"/> is exactly one HELLO whose header follows section 3.</summary>
    /// <param name="frame">Candidate bytes; the HELLO must fill them.</param>
    /// <param name="handshakeId">The HELLO's handshake ID when it is one; otherwise 0.</param>
    public static bool IsHello(ReadOnlySpan<byte> frame, out ulong handshakeId)
    {
        handshakeId = 0;
        if (frame.Length < MinHelloLength)
        {
            return false;
        }

        int maxBody = Math.Min(frame.Length, FrameHeader.MaxBodyLength);
        if (FrameScanner.TryReadFrame(frame, maxBody, out FrameHeader header, out int frameLength) != OperationStatus.Done
            || frameLength != frame.Length
            || header.Type != FrameType.Handshake
            || header.Flags != FrameFlags.None)
        {
            return false;
        }

        handshakeId = header.SessionId;
        return true;
    }

    private static void WriteHeader(Span<byte> destination, byte type, byte flags, ulong handshakeId, int bodyLength)
    {
        destination[0] = type;
        destination[1] = flags;
        BinaryPrimitives.WriteUInt64BigEndian(destination[SessionIdOffset..], handshakeId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[SequenceOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[BodyLengthOffset..], (uint)bodyLength);
        destination[FrameHeader.FixedSize] = 0;
    }

    // The body length must be exactly the rest of the datagram: these frames are never coalesced with others.
    private static bool TryReadHeader(ReadOnlySpan<byte> datagram, byte type, byte flags, out ulong handshakeId)
    {
        handshakeId = 0;
        if (datagram.Length < HeaderLength
            || datagram[0] != type
            || datagram[1] != flags
            || BinaryPrimitives.ReadUInt64BigEndian(datagram[SequenceOffset..]) != 0
            || BinaryPrimitives.ReadUInt32BigEndian(datagram[BodyLengthOffset..]) != (uint)(datagram.Length - HeaderLength)
            || datagram[FrameHeader.FixedSize] != 0)
        {
            return false;
        }

        handshakeId = BinaryPrimitives.ReadUInt64BigEndian(datagram[SessionIdOffset..]);
        return true;
    }
}

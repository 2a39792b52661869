using System.Buffers.Binary;
using CsCheck;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Tests.Encoding;

/// <summary>Valid frames for property tests, and raw headers for hostile ones.</summary>
internal static class FrameFixtures
{
    public const int MaxTestBody = 200;

    private static readonly Gen<ulong> Sequence = Gen.OneOf(Gen.ULong, Gen.ULong[0, 4], Gen.OneOf(Varint.MaxValue, ulong.MaxValue));

    private static readonly Gen<int> UserStream = Gen.OneOf(Gen.Int[1, FrameHeader.MaxStreamId], Gen.OneOf(1, 63, 64, 16383, 16384, 65535));

    /// <summary>
    /// A valid frame of any type, with every flag, stream and sequence combination the type allows; bodies are up to
    /// <paramref name="maxBody"/> bytes, except AUTH (always 112).
    /// </summary>
    public static Gen<(FrameHeader Header, byte[] Frame)> ValidFrame(int maxBody = MaxTestBody) =>
        from type in Gen.Int[1, 5]
        from keyPhase in Gen.Bool
        from fin in Gen.Bool
        from fromResponder in Gen.Bool
        from sessionId in Gen.ULong
        from sequence in Sequence
        from stream in UserStream
        from body in Gen.Byte.Array[0, maxBody]
        select Build((FrameType)type, keyPhase, fin, fromResponder, sessionId, sequence, stream, body);

    /// <summary>Writes <paramref name="header"/> with <see cref="FrameWriter"/> followed by <paramref name="body"/>.</summary>
    public static byte[] Frame(FrameHeader header, ReadOnlySpan<byte> body)
    {
        byte[] frame = new byte[header.Size + body.Length];
        int written = FrameWriter.WriteHeader(frame, header);
        body.CopyTo(frame.AsSpan(written));
        return frame;
    }

    /// <summary>Raw header bytes, field by field, so invalid values can be written.</summary>
    public static byte[] RawHeader(byte type, byte flags, ulong sequence, uint bodyLength, params byte[] streamField)
    {
        byte[] header = new byte[FrameHeader.FixedSize + streamField.Length];
        header[0] = type;
        header[1] = flags;
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), 0x0102030405060708);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(10), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(18), bodyLength);
        streamField.CopyTo(header, FrameHeader.FixedSize);
        return header;
    }

    private static (FrameHeader, byte[]) Build(
        FrameType type,
        bool keyPhase,
        bool fin,
        bool fromResponder,
        ulong sessionId,
        ulong sequence,
        int stream,
        byte[] body)
    {
        FrameFlags phase = keyPhase ? FrameFlags.KeyPhase : FrameFlags.None;
        FrameFlags responder = fromResponder ? FrameFlags.FromResponder : FrameFlags.None;
        (FrameFlags flags, int streamId, ulong seq, int bodyLength) = type switch
        {
            FrameType.Handshake => (responder, 0, 0UL, body.Length),
            FrameType.Data => (phase | (fin ? FrameFlags.Fin : FrameFlags.None), stream, sequence, Math.Max(body.Length, FrameHeader.TagSize)),
            FrameType.Control => (phase, 0, sequence, Math.Max(body.Length, FrameHeader.TagSize)),
            FrameType.StreamControl => (phase, stream, sequence, Math.Max(body.Length, FrameHeader.TagSize)),
            _ => (responder, 0, 0UL, FrameScanner.AuthBodyLength),
        };
        byte[] sized = new byte[bodyLength];
        body.AsSpan(0, Math.Min(body.Length, bodyLength)).CopyTo(sized);
        var header = new FrameHeader(type, flags, sessionId, seq, bodyLength, streamId);
        return (header, Frame(header, sized));
    }
}

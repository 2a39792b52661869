using System.Buffers;
using System.Buffers.Binary;
using Stt.Protocol.Encoding;
using Stt.Protocol.Protection;
using Xunit;

namespace Stt.Protocol.Tests.Protection;

/// <summary>Helpers that seal and open whole frames held in arrays, and parse headers like the frame scanner.</summary>
internal static class SealedFrames
{
    public const ulong SessionId = 0x0123_4567_89AB_CDEF;

    /// <summary>0x00 .. 0x1F: the initiator-to-responder secret of the tests (and of the pinned vectors).</summary>
    public static byte[] InitiatorSecret { get; } = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    /// <summary>0x80 .. 0x9F: the responder-to-initiator secret of the tests.</summary>
    public static byte[] ResponderSecret { get; } = Enumerable.Range(0x80, 32).Select(i => (byte)i).ToArray();

    public static byte[] Plaintext(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Seals <paramref name="plaintext"/> and returns exactly the frame's bytes.</summary>
    public static byte[] Seal(
        FrameSealer sealer,
        ReadOnlySpan<byte> plaintext,
        FrameType type = FrameType.Data,
        FrameFlags flags = FrameFlags.None,
        int streamId = 1)
    {
        return Seal(sealer, plaintext, out _, type, flags, streamId);
    }

    public static byte[] Seal(
        FrameSealer sealer,
        ReadOnlySpan<byte> plaintext,
        out ulong sequence,
        FrameType type = FrameType.Data,
        FrameFlags flags = FrameFlags.None,
        int streamId = 1)
    {
        int headerSize = FrameSealer.GetHeaderSize(streamId);
        var buffer = new byte[FrameSealer.GetFrameLength(streamId, plaintext.Length)];
        plaintext.CopyTo(buffer.AsSpan(headerSize));
        int length = sealer.Seal(buffer, type, flags, streamId, plaintext.Length, out sequence);
        Assert.Equal(buffer.Length, length);
        return buffer;
    }

    /// <summary>Opens a copy of <paramref name="frame"/>, parsing its header first.</summary>
    public static OpenStatus Open(FrameOpener opener, byte[] frame, out byte[] plaintext)
    {
        return Open(opener, frame, ParseHeader(frame), out plaintext);
    }

    /// <summary>Opens a copy of <paramref name="frame"/> with the given (possibly stale) parsed header.</summary>
    public static OpenStatus Open(FrameOpener opener, byte[] frame, in FrameHeader header, out byte[] plaintext)
    {
        byte[] copy = frame.ToArray();
        OpenStatus status = opener.TryOpen(copy, header, out int offset, out int length);
        if (status == OpenStatus.Ok)
        {
            plaintext = copy.AsSpan(offset, length).ToArray();
        }
        else
        {
            Assert.Equal(0, offset);
            Assert.Equal(0, length);
            plaintext = [];
        }

        return status;
    }

    public static OpenStatus Open(FrameOpener opener, byte[] frame) => Open(opener, frame, out _);

    public static FrameHeader ParseHeader(ReadOnlySpan<byte> frame)
    {
        Assert.True(TryParseHeader(frame, out FrameHeader header));
        return header;
    }

    /// <summary>
    /// Parses the header the way a frame scanner would for an encrypted frame; false where the scanner drops the
    /// frame (unknown or unencrypted type, bad varint, stream ID above 65,535, length not matching the bytes).
    /// </summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> frame, out FrameHeader header)
    {
        header = default;
        if (frame.Length < FrameHeader.FixedSize + 1)
        {
            return false;
        }

        var type = (FrameType)frame[0];
        if (type is not (FrameType.Data or FrameType.Control or FrameType.StreamControl))
        {
            return false;
        }

        if (Varint.TryRead(frame[FrameHeader.FixedSize..], out ulong streamId, out int varintLength) != OperationStatus.Done ||
            streamId > FrameHeader.MaxStreamId)
        {
            return false;
        }

        uint bodyLength = BinaryPrimitives.ReadUInt32BigEndian(frame[18..]);
        if ((long)FrameHeader.FixedSize + varintLength + bodyLength != frame.Length)
        {
            return false;
        }

        header = new FrameHeader(
            type,
            (FrameFlags)frame[1],
            BinaryPrimitives.ReadUInt64BigEndian(frame[2..]),
            BinaryPrimitives.ReadUInt64BigEndian(frame[10..]),
            (int)bodyLength,
            (int)streamId);
        return true;
    }
}

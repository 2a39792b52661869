using Stt.Protocol.Encoding;

namespace Stt.Protocol.Fuzz;

/// <summary>Writes the checked-in seed corpus (<c>seeds/TARGET/*</c>) from the real encoders.</summary>
internal static class SeedCorpus
{
    public static void Write(string directory)
    {
        byte[] controlMessages = Concat(Ping(), Ack([new SequenceRange(40, 50), new SequenceRange(3, 30)], 120), MaxData(1_048_576));
        byte[] streamMessages = Concat(ResetStream(7, 262_144), MaxStreamData(70_000));

        string frames = Path.Combine(directory, "frame");
        Directory.CreateDirectory(frames);
        Save(frames, "control-ping-ack.bin", Frame(new FrameHeader(FrameType.Control, FrameFlags.KeyPhase, 0x1122334455667788, 9, 0, 0), Pad(controlMessages)));
        Save(frames, "data-fin.bin", Frame(new FrameHeader(FrameType.Data, FrameFlags.Fin, 0x1122334455667788, 10, 0, 1), Pad(Concat(Offset(16384), "hello"u8.ToArray()))));
        Save(frames, "stream-control.bin", Frame(new FrameHeader(FrameType.StreamControl, FrameFlags.None, 0x1122334455667788, 11, 0, 16384), Pad(streamMessages)));
        Save(frames, "handshake.bin", Frame(new FrameHeader(FrameType.Handshake, FrameFlags.None, 0x0102030405060708, 0, 0, 0), new byte[48]));
        Save(frames, "auth-final.bin", Frame(new FrameHeader(FrameType.Auth, FrameFlags.FromResponder, 0x1122334455667788, 0, 0, 0), new byte[FrameScanner.AuthBodyLength]));
        Save(frames, "two-frames.bin", Concat(
            Frame(new FrameHeader(FrameType.Control, FrameFlags.None, 1, 0, 0, 0), Pad(Ping())),
            Frame(new FrameHeader(FrameType.Data, FrameFlags.KeyPhase, 1, 1, 0, 65535), Pad(Offset(0)))));
        Save(frames, "truncated-header.bin", Frame(new FrameHeader(FrameType.Data, FrameFlags.None, 5, 5, 0, 300), Pad([0]))[..20]);
        Save(frames, "invalid-channel-sealed.bin", Concat([0x02, 0x80], new byte[20], [0x01]));
        Save(frames, "invalid-oversize.bin", Concat([0x02, 0x00], new byte[16], [0xFF, 0xFF, 0xFF, 0xFF], [0x01]));
        Save(frames, "invalid-stream-varint.bin", Concat([0x02, 0x00], new byte[16], [0x00, 0x00, 0x00, 0x10], [0xC0, 0, 0, 0, 0, 0, 0, 1]));

        string control = Path.Combine(directory, "control");
        Directory.CreateDirectory(control);
        Save(control, "ping.bin", Ping());
        Save(control, "ack-one-range.bin", Ack([new SequenceRange(0, 10)], 0));
        Save(control, "ack-three-ranges.bin", Ack([new SequenceRange(1000, 1010), new SequenceRange(500, 900), new SequenceRange(0, 1)], 25_000));
        Save(control, "close.bin", Close(ProtocolErrorCode.ApplicationBase + 1, "über"u8.ToArray()));
        Save(control, "several.bin", Concat(controlMessages, MaxStreams(100), Close(ProtocolErrorCode.NoError, [])));
        Save(control, "stream-control.bin", Concat(streamMessages, StopSending(3)));
        Save(control, "invalid-kind.bin", [0x01, 0x09]);
        Save(control, "invalid-65-ranges.bin", [0x02, 0x0A, 0x00, 0x40, 0x40, 0x00]);
        Save(control, "invalid-close-utf8.bin", [0x03, 0x00, 0x02, 0xC3, 0x28]);

        string handshake = Path.Combine(directory, "handshake");
        Directory.CreateDirectory(handshake);
        foreach ((string name, byte[] frame) in HandshakeTarget.Seeds())
        {
            Save(handshake, name, frame);
        }
    }

    private static void Save(string directory, string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(directory, name), bytes);

    private static byte[] Frame(FrameHeader header, byte[] body)
    {
        header = header with { BodyLength = body.Length };
        byte[] frame = new byte[header.Size + body.Length];
        int written = FrameWriter.WriteHeader(frame, header);
        body.CopyTo(frame, written);
        return frame;
    }

    // Frame bodies here are plaintext followed by a zero "tag", so the readers see real messages.
    private static byte[] Pad(byte[] plaintext) => Concat(plaintext, new byte[FrameHeader.TagSize]);

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];

    private static byte[] Ping() => Written(ControlMessageWriter.PingSize, d => ControlMessageWriter.WritePing(d));

    private static byte[] Ack(SequenceRange[] ranges, ulong delay) => Written(ControlMessageWriter.MaxAckSize, d => ControlMessageWriter.WriteAck(d, ranges, delay));

    private static byte[] Close(ProtocolErrorCode code, byte[] reason) => Written(ControlMessageWriter.MaxCloseSize, d => ControlMessageWriter.WriteClose(d, code, reason));

    private static byte[] MaxData(ulong value) => Written(ControlMessageWriter.MaxSingleValueMessageSize, d => ControlMessageWriter.WriteMaxData(d, value));

    private static byte[] MaxStreams(ulong value) => Written(ControlMessageWriter.MaxSingleValueMessageSize, d => ControlMessageWriter.WriteMaxStreams(d, value));

    private static byte[] ResetStream(ulong code, ulong finalSize) => Written(ControlMessageWriter.MaxResetStreamSize, d => ControlMessageWriter.WriteResetStream(d, code, finalSize));

    private static byte[] StopSending(ulong code) => Written(ControlMessageWriter.MaxSingleValueMessageSize, d => ControlMessageWriter.WriteStopSending(d, code));

    private static byte[] MaxStreamData(ulong value) => Written(ControlMessageWriter.MaxSingleValueMessageSize, d => ControlMessageWriter.WriteMaxStreamData(d, value));

    private static byte[] Offset(ulong offset) => Written(Varint.MaxLength, d => StreamDataCodec.WriteOffset(d, offset));

    private delegate int SpanWriter(Span<byte> destination);

    private static byte[] Written(int capacity, SpanWriter write)
    {
        byte[] buffer = new byte[capacity];
        return buffer[..write(buffer)];
    }
}

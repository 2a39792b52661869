using System.Buffers;
using CsCheck;
using Stt.Protocol.Encoding;
using Stt.Testing.Buffers;
using Xunit;
using static Stt.Protocol.Tests.Encoding.FrameFixtures;

namespace Stt.Protocol.Tests.Encoding;

public sealed class FrameScannerTests
{
    private const int Max = FrameHeader.MaxBodyLength;

    private static readonly byte[] Stream0 = [0x00];
    private static readonly byte[] Stream1 = [0x01];

    // CONTROL, KEY_PHASE, session 0102030405060708, sequence 7, body 16, stream 0, then a 16-byte body.
    private const string ControlFrameHex =
        "03 01 0102030405060708 0000000000000007 00000010 00 000102030405060708090A0B0C0D0E0F";

    public static IEnumerable<object[]> TwoFramesBackToBack()
    {
        byte[] first = Frame(new FrameHeader(FrameType.Data, FrameFlags.Fin, 9, 1, 17, 3), new byte[17]);
        byte[] second = Frame(new FrameHeader(FrameType.StreamControl, FrameFlags.KeyPhase, 9, 2, 16, 16384), new byte[16]);
        yield return [first.Concat(second).ToArray(), first.Length, second.Length];
    }

    public static IEnumerable<object[]> InvalidHeaders()
    {
        const byte Data = 0x02, Control = 0x03, StreamControl = 0x04, Handshake = 0x01, Auth = 0x05;
        object[] Row(string name, byte[] header, FrameViolation expected, int max = Max) => [header, expected, max, name];

        yield return Row("type 0", RawHeader(0x00, 0, 0, 16, Stream0), FrameViolation.UnknownType);
        yield return Row("type 6 (fan-out, reserved)", RawHeader(0x06, 0, 0, 16, Stream1), FrameViolation.UnknownType);
        yield return Row("type 0xFF", RawHeader(0xFF, 0, 0, 16, Stream1), FrameViolation.UnknownType);
        yield return Row("CHANNEL_SEALED on DATA", RawHeader(Data, 0x80, 0, 16, Stream1), FrameViolation.ReservedFlags);
        yield return Row("bit 3 on CONTROL", RawHeader(Control, 0x08, 0, 16, Stream0), FrameViolation.ReservedFlags);
        yield return Row("bit 6 on HANDSHAKE", RawHeader(Handshake, 0x40, 0, 0, Stream0), FrameViolation.ReservedFlags);
        yield return Row("FIN on CONTROL", RawHeader(Control, 0x02, 0, 16, Stream0), FrameViolation.FlagNotAllowedForType);
        yield return Row("FIN on STREAM_CONTROL", RawHeader(StreamControl, 0x02, 0, 16, Stream1), FrameViolation.FlagNotAllowedForType);
        yield return Row("KEY_PHASE on HANDSHAKE", RawHeader(Handshake, 0x01, 0, 0, Stream0), FrameViolation.FlagNotAllowedForType);
        yield return Row("KEY_PHASE on AUTH", RawHeader(Auth, 0x01, 0, 112, Stream0), FrameViolation.FlagNotAllowedForType);
        yield return Row("FROM_RESPONDER on DATA", RawHeader(Data, 0x04, 0, 16, Stream1), FrameViolation.FlagNotAllowedForType);
        yield return Row("FIN on HANDSHAKE", RawHeader(Handshake, 0x02, 0, 0, Stream0), FrameViolation.FlagNotAllowedForType);
        yield return Row("HANDSHAKE sequence 1", RawHeader(Handshake, 0, 1, 0, Stream0), FrameViolation.NonZeroSequence);
        yield return Row("AUTH sequence 2^63", RawHeader(Auth, 0x04, 1UL << 63, 112, Stream0), FrameViolation.NonZeroSequence);
        yield return Row("body 0xFFFFFFFF", RawHeader(Data, 0, 5, uint.MaxValue, Stream1), FrameViolation.BodyTooLarge);
        yield return Row("body 2 MiB + 1", RawHeader(Handshake, 0, 0, Max + 1, Stream0), FrameViolation.BodyTooLarge);
        yield return Row("body over configured max", RawHeader(Data, 0, 5, 1201, Stream1), FrameViolation.BodyTooLarge, 1200);
        yield return Row("AUTH over configured max", RawHeader(Auth, 0, 0, 112, Stream0), FrameViolation.BodyTooLarge, 100);
        yield return Row("AUTH body 113", RawHeader(Auth, 0, 0, 113, Stream0), FrameViolation.BodyTooLarge);
        yield return Row("AUTH body 111", RawHeader(Auth, 0x04, 0, 111, Stream0), FrameViolation.BodyTooShort);
        yield return Row("AUTH body 0", RawHeader(Auth, 0, 0, 0, Stream0), FrameViolation.BodyTooShort);
        yield return Row("DATA body 0", RawHeader(Data, 0, 0, 0, Stream1), FrameViolation.BodyTooShort);
        yield return Row("CONTROL body 0", RawHeader(Control, 0, 0, 0, Stream0), FrameViolation.BodyTooShort);
        yield return Row("CONTROL body 15", RawHeader(Control, 0, 0, 15, Stream0), FrameViolation.BodyTooShort);
        yield return Row("STREAM_CONTROL body 0", RawHeader(StreamControl, 0, 0, 0, Stream1), FrameViolation.BodyTooShort);
        yield return Row("stream 65536", RawHeader(Data, 0, 0, 16, 0x80, 0x01, 0x00, 0x00), FrameViolation.StreamIdTooLarge);
        yield return Row("stream 2^30 - 1", RawHeader(Data, 0, 0, 16, 0xBF, 0xFF, 0xFF, 0xFF), FrameViolation.StreamIdTooLarge);
        yield return Row("8-byte stream varint, first byte only", RawHeader(Data, 0, 0, 16, 0xC0), FrameViolation.StreamIdTooLarge);
        yield return Row("8-byte stream varint of 1", RawHeader(Data, 0, 0, 16, 0xC0, 0, 0, 0, 0, 0, 0, 1), FrameViolation.StreamIdTooLarge);
        yield return Row("stream 1 in 2 bytes", RawHeader(Data, 0, 0, 16, 0x40, 0x01), FrameViolation.NonMinimalVarint);
        yield return Row("stream 0 in 2 bytes on CONTROL", RawHeader(Control, 0, 0, 16, 0x40, 0x00), FrameViolation.NonMinimalVarint);
        yield return Row("stream 16383 in 4 bytes", RawHeader(StreamControl, 0, 0, 16, 0x80, 0x00, 0x3F, 0xFF), FrameViolation.NonMinimalVarint);
        yield return Row("DATA on stream 0", RawHeader(Data, 0, 0, 16, Stream0), FrameViolation.BadStreamIdForType);
        yield return Row("STREAM_CONTROL on stream 0", RawHeader(StreamControl, 0, 0, 16, Stream0), FrameViolation.BadStreamIdForType);
        yield return Row("CONTROL on stream 1", RawHeader(Control, 0, 0, 16, Stream1), FrameViolation.BadStreamIdForType);
        yield return Row("HANDSHAKE on stream 5", RawHeader(Handshake, 0, 0, 0, 0x05), FrameViolation.BadStreamIdForType);
        yield return Row("AUTH on stream 65535", RawHeader(Auth, 0, 0, 112, 0x80, 0x00, 0xFF, 0xFF), FrameViolation.BadStreamIdForType);
    }

    [Fact]
    public void TryReadFrame_ValidFrameOnSpan_RoundTrips()
    {
        ValidFrame().Sample(sample =>
        {
            (FrameHeader expected, byte[] frame) = sample;
            OperationStatus status = FrameScanner.TryReadFrame(frame, Max, out FrameHeader header, out int frameLength, out FrameViolation violation);

            Assert.Equal(OperationStatus.Done, status);
            Assert.Equal(FrameViolation.None, violation);
            Assert.Equal(expected, header);
            Assert.Equal(frame.Length, frameLength);
            Assert.Equal(expected.Size + expected.BodyLength, frameLength);
        });
    }

    [Fact]
    public void TryReadFrame_ValidFrameFollowedByMoreBytes_ReadsOnlyTheFrame()
    {
        ValidFrame().Select(Gen.Byte.Array[1, 40]).Sample((sample, trailing) =>
        {
            (FrameHeader expected, byte[] frame) = sample;
            byte[] buffer = [.. frame, .. trailing];

            OperationStatus status = FrameScanner.TryReadFrame(buffer, Max, out FrameHeader header, out int frameLength);

            Assert.Equal(OperationStatus.Done, status);
            Assert.Equal(expected, header);
            Assert.Equal(frame.Length, frameLength);
        });
    }

    [Fact]
    public void TryReadFrame_ValidFrameInEverySegmentation_RoundTripsAndAdvances()
    {
        ValidFrame(maxBody: 48).Sample(sample =>
        {
            (FrameHeader expected, byte[] frame) = sample;
            foreach (Segmentation input in Segmentations.Of(frame))
            {
                ReadOnlySequence<byte> buffer = input.Sequence;

                OperationStatus status = FrameScanner.TryReadFrame(ref buffer, Max, out FrameHeader header, out ReadOnlySequence<byte> read, out FrameViolation violation);

                Assert.Equal(OperationStatus.Done, status);
                Assert.Equal(FrameViolation.None, violation);
                Assert.Equal(expected, header);
                Assert.Equal(frame, read.ToArray());
                Assert.True(buffer.IsEmpty);
                Assert.Equal(input.Sequence.End, buffer.Start);
            }
        }, iter: 40);
    }

    [Fact]
    public void TryReadFrame_EveryTruncationOfValidFrame_NeedsMoreDataAndLeavesBufferUnchanged()
    {
        ValidFrame(maxBody: 40).Sample(sample =>
        {
            (FrameHeader expected, byte[] frame) = sample;
            for (int length = 0; length < frame.Length; length++)
            {
                byte[] prefix = frame[..length];
                Assert.Equal(OperationStatus.NeedMoreData, FrameScanner.TryReadFrame(prefix, Max, out _, out _, out FrameViolation violation));
                Assert.Equal(FrameViolation.None, violation);

                foreach (ReadOnlySequence<byte> original in new[]
                {
                    new ReadOnlySequence<byte>(prefix),
                    Segmentations.FromSegments(prefix.AsMemory(..(length / 2)), prefix.AsMemory((length / 2)..)),
                    Segmentations.FromSegments([.. prefix.Select(b => new ReadOnlyMemory<byte>([b]))]),
                })
                {
                    ReadOnlySequence<byte> buffer = original;
                    OperationStatus status = FrameScanner.TryReadFrame(ref buffer, Max, out _, out ReadOnlySequence<byte> read, out violation);

                    Assert.Equal(OperationStatus.NeedMoreData, status);
                    Assert.Equal(FrameViolation.None, violation);
                    Assert.True(read.IsEmpty);
                    Assert.Equal(original.Start, buffer.Start);
                    Assert.Equal(original.End, buffer.End);
                }
            }
        }, iter: 40);
    }

    [Fact]
    public void TryReadFrame_HeaderCompleteBodyMissing_ReportsHeaderAndFrameLength()
    {
        var expected = new FrameHeader(FrameType.Data, FrameFlags.KeyPhase, 42, 7, 1000, 300);
        byte[] frame = Frame(expected, new byte[1000]);

        OperationStatus status = FrameScanner.TryReadFrame(frame.AsSpan(0, expected.Size + 10), Max, out FrameHeader header, out int frameLength);

        Assert.Equal(OperationStatus.NeedMoreData, status);
        Assert.Equal(expected, header);
        Assert.Equal(frame.Length, frameLength);
    }

    [Theory]
    [SegmentedData(ControlFrameHex)]
    public void TryReadFrame_KnownControlFrame_DecodesEveryField(Segmentation input)
    {
        ReadOnlySequence<byte> buffer = input.Sequence;

        OperationStatus status = FrameScanner.TryReadFrame(ref buffer, Max, out FrameHeader header, out ReadOnlySequence<byte> frame);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(new FrameHeader(FrameType.Control, FrameFlags.KeyPhase, 0x0102030405060708, 7, 16, 0), header);
        Assert.Equal(input.Fixture, frame.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [SegmentedMemberData(nameof(TwoFramesBackToBack))]
    public void TryReadFrame_TwoFramesBackToBack_ReadsOneAfterTheOther(Segmentation input, int firstLength, int secondLength)
    {
        ReadOnlySequence<byte> buffer = input.Sequence;

        Assert.Equal(OperationStatus.Done, FrameScanner.TryReadFrame(ref buffer, Max, out FrameHeader first, out ReadOnlySequence<byte> firstFrame));
        Assert.Equal(OperationStatus.Done, FrameScanner.TryReadFrame(ref buffer, Max, out FrameHeader second, out ReadOnlySequence<byte> secondFrame));
        Assert.Equal(OperationStatus.NeedMoreData, FrameScanner.TryReadFrame(ref buffer, Max, out _, out _));

        Assert.Equal((FrameType.Data, 1UL, 3), (first.Type, first.Sequence, first.StreamId));
        Assert.Equal((FrameType.StreamControl, 2UL, 16384), (second.Type, second.Sequence, second.StreamId));
        Assert.Equal(input.Fixture[..firstLength], firstFrame.ToArray());
        Assert.Equal(input.Fixture[firstLength..(firstLength + secondLength)], secondFrame.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [SegmentedMemberData(nameof(InvalidHeaders))]
    public void TryReadFrame_InvalidHeader_ReturnsInvalidDataWithReasonBeforeBodyArrives(
        Segmentation input,
        FrameViolation expected,
        int maxBodyLength,
        string name)
    {
        Assert.NotNull(name);
        ReadOnlySequence<byte> buffer = input.Sequence;

        OperationStatus status = FrameScanner.TryReadFrame(ref buffer, maxBodyLength, out FrameHeader header, out ReadOnlySequence<byte> frame, out FrameViolation violation);
        OperationStatus spanStatus = FrameScanner.TryReadFrame(input.Fixture, maxBodyLength, out _, out int frameLength, out FrameViolation spanViolation);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(expected, violation);
        Assert.Equal(default, header);
        Assert.True(frame.IsEmpty);
        Assert.Equal(input.Sequence.Start, buffer.Start);
        Assert.Equal(input.Sequence.End, buffer.End);
        Assert.Equal(OperationStatus.InvalidData, spanStatus);
        Assert.Equal(expected, spanViolation);
        Assert.Equal(0, frameLength);
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(Max + 1u)]
    public void TryReadFrame_OversizeLengthBeforeStreamIdArrives_ReturnsInvalidData(uint bodyLength)
    {
        byte[] fixedPart = RawHeader(0x02, 0, 0, bodyLength);

        OperationStatus status = FrameScanner.TryReadFrame(fixedPart, Max, out _, out _, out FrameViolation violation);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(FrameViolation.BodyTooLarge, violation);
    }

    [Fact]
    public void TryReadFrame_BodyAtTwoMiBCap_IsValidAndWaitsForBody()
    {
        byte[] header = RawHeader(0x02, 0, 0, Max, Stream1);

        OperationStatus status = FrameScanner.TryReadFrame(header, Max, out FrameHeader decoded, out int frameLength);

        Assert.Equal(OperationStatus.NeedMoreData, status);
        Assert.Equal(Max, decoded.BodyLength);
        Assert.Equal(header.Length + Max, frameLength);
    }

    [Fact]
    public void TryReadFrame_PrefixOfAnyInput_NeedsMoreDataOrGivesSameResultAsWhole()
    {
        GenHeaderLike.Sample(bytes =>
        {
            OperationStatus whole = FrameScanner.TryReadFrame(bytes, 1200, out _, out _, out FrameViolation wholeViolation);
            for (int length = 0; length < bytes.Length; length++)
            {
                OperationStatus partial = FrameScanner.TryReadFrame(bytes.AsSpan(0, length), 1200, out _, out _, out FrameViolation violation);
                if (partial != OperationStatus.NeedMoreData)
                {
                    Assert.Equal(OperationStatus.InvalidData, partial);
                    Assert.Equal(whole, partial);
                    Assert.Equal(wholeViolation, violation);
                }
            }
        }, iter: 500);
    }

    [Fact]
    public void TryReadFrame_AnyInputAnySplit_NeverThrowsAndAgreesWithSpan()
    {
        GenHeaderLike.Select(Gen.Int[0, 64]).Sample((bytes, splitSeed) =>
        {
            OperationStatus expected = FrameScanner.TryReadFrame(bytes, 1200, out FrameHeader expectedHeader, out int expectedLength, out FrameViolation expectedViolation);
            int split = splitSeed % (bytes.Length + 1);
            ReadOnlySequence<byte> buffer = Segmentations.FromSegments(bytes.AsMemory(..split), bytes.AsMemory(split..));

            OperationStatus status = FrameScanner.TryReadFrame(ref buffer, 1200, out FrameHeader header, out ReadOnlySequence<byte> frame, out FrameViolation violation);

            Assert.Equal(expected, status);
            Assert.Equal(expectedViolation, violation);
            Assert.Equal(expectedHeader, header);
            Assert.Equal(status == OperationStatus.Done ? expectedLength : 0, frame.Length);
        }, iter: 2000);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(Max + 1)]
    public void TryReadFrame_MaxBodyLengthOutOfRange_Throws(int maxBodyLength)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameScanner.TryReadFrame([], maxBodyLength, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var buffer = ReadOnlySequence<byte>.Empty;
            FrameScanner.TryReadFrame(ref buffer, maxBodyLength, out _, out _);
        });
    }

    [Fact]
    public void TryReadFrame_SpanAndStraddlingSequence_AllocateNothing()
    {
        byte[] frame = Frame(new FrameHeader(FrameType.Data, FrameFlags.KeyPhase, 1, 2, 32, 1000), new byte[32]);
        ReadOnlySequence<byte> straddling = Segmentations.FromSegments(frame.AsMemory(..5), frame.AsMemory(5..20), frame.AsMemory(20..));
        ReadOnlySequence<byte> single = new(frame);
        ScanAll(frame, straddling, single);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ScanAll(frame, straddling, single);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        static void ScanAll(byte[] frame, ReadOnlySequence<byte> straddling, ReadOnlySequence<byte> single)
        {
            for (int i = 0; i < 1000; i++)
            {
                FrameScanner.TryReadFrame(frame, Max, out _, out _);
                ReadOnlySequence<byte> a = straddling;
                FrameScanner.TryReadFrame(ref a, Max, out _, out _);
                ReadOnlySequence<byte> b = single;
                FrameScanner.TryReadFrame(ref b, Max, out _, out _, out _);
            }
        }
    }

    // Mostly plausible headers (a type byte of 0-6, small flags, often a zero sequence) so the generator reaches the later checks.
    private static readonly Gen<byte[]> GenHeaderLike =
        from type in Gen.OneOf(Gen.Byte[0, 6], Gen.Byte)
        from flags in Gen.OneOf(Gen.Byte[0, 7], Gen.Byte)
        from sessionId in Gen.ULong
        from sequence in Gen.OneOf(Gen.Const(0UL), Gen.ULong)
        from length in Gen.OneOf(Gen.UInt[0, 2000], Gen.UInt)
        from stream in Gen.Byte.Array[0, 10]
        from cut in Gen.Int[0, 40]
        select Cut(RawHeader(type, flags, sequence, length, stream), sessionId, cut);

    private static byte[] Cut(byte[] header, ulong sessionId, int cut)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), sessionId);
        return header[..Math.Min(cut, header.Length)];
    }
}

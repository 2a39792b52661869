using System.Buffers;
using CsCheck;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Protocol.Tests.Distribution;

public class ServerMessageTests
{
    private static readonly ContentId Id = ContentId.FromHash(Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray());

    [Fact]
    public void ResponseHeader_RoundTrips_EveryStatus()
    {
        foreach (DistributionStatus status in Enum.GetValues<DistributionStatus>())
        {
            var header = new ResponseHeader(status, $"status {status} ✓");
            byte[] buffer = new byte[DistributionLimits.MaxResponseHeaderLength];
            Assert.True(header.TryWrite(buffer, out int written));
            Assert.Equal(written, ResponseHeader.GetLength(header.Message));
            Assert.True(ResponseHeader.TryRead(buffer.AsSpan(0, written), out ResponseHeader read));
            Assert.Equal(header, read);
        }
    }

    [Fact]
    public void ResponseHeader_LongMessage_IsCutAtACharacterBoundary()
    {
        string text = string.Concat(Enumerable.Repeat("é", 200));
        byte[] buffer = new byte[DistributionLimits.MaxResponseHeaderLength];
        Assert.True(ResponseHeader.TryWrite(buffer, DistributionStatus.Busy, text, out int written));
        Assert.True(ResponseHeader.TryRead(buffer.AsSpan(0, written), out ResponseHeader read));
        Assert.Equal(DistributionStatus.Busy, read.Status);
        Assert.Equal(text[..128], read.Message);
        Assert.Equal(1 + 2 + 256, written);
    }

    [Fact]
    public void ResponseHeader_Malformed_IsRejected()
    {
        Assert.False(ResponseHeader.TryRead([], out ResponseHeader _));
        Assert.False(ResponseHeader.TryRead([0x00], out ResponseHeader _));
        Assert.False(ResponseHeader.TryRead([0x00, 0x00, 0x41], out ResponseHeader _));
        Assert.False(ResponseHeader.TryRead([0x00, 0x02, 0x41], out ResponseHeader _));
        Assert.False(ResponseHeader.TryRead([0x00, 0x40, 0x00], out ResponseHeader _));
        Assert.False(ResponseHeader.TryRead([0x00, 0x02, 0xC3, 0x28], out ResponseHeader _));
        byte[] tooLong = [0x00, 0x41, 0x01, .. new byte[257]];
        Assert.False(ResponseHeader.TryRead(tooLong, out ResponseHeader _));
        byte[] longest = [0x00, 0x41, 0x00, .. Enumerable.Repeat((byte)'a', 256)];
        Assert.True(ResponseHeader.TryRead(longest, out ResponseHeader _));
    }

    [Fact]
    public void ResponseHeader_ShortDestination_ReturnsFalse()
    {
        Assert.False(ResponseHeader.TryWrite(new byte[4], DistributionStatus.Ok, "hello", out int written));
        Assert.Equal(0, written);
        Assert.False(ResponseHeader.TryWrite([], DistributionStatus.Ok, "", out _));
    }

    [Fact]
    public void Tags_AreReadAndUnknownOnesRejected()
    {
        Assert.True(ServerMessage.TryReadTag([0x00, 9], out ServerMessageTag tag, out ReadOnlySpan<byte> body));
        Assert.Equal(ServerMessageTag.Data, tag);
        Assert.Equal([9], body.ToArray());
        Assert.True(ServerMessage.TryReadTag([0x01], out tag, out _));
        Assert.Equal(ServerMessageTag.End, tag);
        Assert.False(ServerMessage.TryReadTag([0x01, 0x00], out _, out _));
        Assert.False(ServerMessage.TryReadTag([0x03], out _, out _));
        Assert.False(ServerMessage.TryReadTag([], out _, out _));
    }

    [Fact]
    public void Error_RoundTrips_AndRejectsOk()
    {
        var writer = new ArrayBufferWriter<byte>();
        ServerMessage.WriteError(writer, DistributionStatus.IntegrityFailure, "chunk 7");
        Assert.True(ServerMessage.TryReadTag(writer.WrittenSpan, out ServerMessageTag tag, out _));
        Assert.Equal(ServerMessageTag.Error, tag);
        Assert.True(ServerMessage.TryReadError(writer.WrittenSpan, out DistributionStatus status, out ReadOnlySpan<byte> text));
        Assert.Equal(DistributionStatus.IntegrityFailure, status);
        Assert.Equal("chunk 7"u8.ToArray(), text.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerMessage.TryWriteError(new byte[10], DistributionStatus.Ok, "", out _));
        Assert.False(ServerMessage.TryReadError([0x02, 0x00, 0x00], out _, out _));
        Assert.False(ServerMessage.TryReadError([0x00, 0x01, 0x00], out _, out _));
    }

    [Fact]
    public void End_Manifest_Stored_RoundTrip()
    {
        byte[] end = new byte[1];
        Assert.True(ServerMessage.TryWriteEnd(end, out int written));
        Assert.Equal(1, written);
        Assert.Equal([0x01], end);
        Assert.False(ServerMessage.TryWriteEnd([], out _));

        byte[] manifest = [0x00, 1, 2, 3];
        Assert.True(ServerMessage.TryWriteDataTag(manifest));
        Assert.True(ServerMessage.TryReadData(manifest, out ReadOnlySpan<byte> body));
        Assert.Equal([1, 2, 3], body.ToArray());
        Assert.False(ServerMessage.TryReadData([0x01], out _));

        byte[] stored = new byte[ServerMessage.StoredLength];
        Assert.True(ServerMessage.TryWriteStored(stored, Id));
        Assert.True(ServerMessage.TryReadStored(stored, out ContentId id));
        Assert.Equal(Id, id);
        Assert.False(ServerMessage.TryReadStored(stored.AsSpan(0, 32), out _));
        Assert.False(ServerMessage.TryReadStored([.. stored, 0], out _));
        Assert.False(ServerMessage.TryWriteStored(new byte[32], Id));
    }

    [Theory]
    [InlineData(0UL, 2)]
    [InlineData(63UL, 2)]
    [InlineData(64UL, 3)]
    [InlineData(16384UL, 5)]
    [InlineData((1UL << 62) - 1, 9)]
    public void ChannelMessageHeader_RoundTrips_WithTwoToNineBytes(ulong sequence, int length)
    {
        byte[] message = new byte[ChannelMessageHeader.MaxLength + 3];
        Assert.True(ChannelMessageHeader.TryWrite(message, sequence, out int written));
        Assert.Equal(length, written);
        Assert.Equal(length, ChannelMessageHeader.GetLength(sequence));
        message.AsSpan(written, 3).Fill(0xAB);
        Assert.True(ChannelMessageHeader.TryRead(message.AsSpan(0, written + 3), out ulong read, out ReadOnlySpan<byte> payload));
        Assert.Equal(sequence, read);
        Assert.Equal([0xAB, 0xAB, 0xAB], payload.ToArray());
        Assert.False(ChannelMessageHeader.TryWrite(message.AsSpan(0, length - 1), sequence, out _));
        for (int cut = 0; cut < written; cut++)
        {
            Assert.False(ChannelMessageHeader.TryRead(message.AsSpan(0, cut), out _, out _));
        }
    }

    [Fact]
    public void ChannelMessageHeader_RejectsOtherTagsAndNonMinimalSequences()
    {
        Assert.False(ChannelMessageHeader.TryRead([0x01, 0x05], out _, out _));
        Assert.False(ChannelMessageHeader.TryRead([0x00, 0x40, 0x05], out _, out _));
        Assert.True(ChannelMessageHeader.TryRead([0x00, 0x05], out ulong sequence, out ReadOnlySpan<byte> payload));
        Assert.Equal(5UL, sequence);
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void ChunkMessage_RoundTrips()
    {
        byte[] message = new byte[ChunkMessage.MaxHeaderLength + 4];
        Assert.True(ChunkMessage.TryWriteHeader(message, 1000, out int written));
        Assert.Equal(ChunkMessage.GetHeaderLength(1000), written);
        Assert.True(ChunkMessage.TryRead(message.AsSpan(0, written + 4), out ulong index, out ReadOnlySpan<byte> chunk));
        Assert.Equal(1000UL, index);
        Assert.Equal(4, chunk.Length);
    }

    [Fact]
    public void ListingEntry_RoundTrips_AndEveryTruncationIsRejected()
    {
        ContentListingEntry[] entries =
        [
            new(Id, 0, 0, null),
            new(Id, (1UL << 62) - 1, 1UL << 40, "名前.bin"),
            new(default, 1_000_000, 4, new string('x', 255)),
        ];
        foreach (ContentListingEntry entry in entries)
        {
            byte[] buffer = new byte[ContentListingEntry.MaxLength];
            Assert.True(entry.TryWrite(buffer, out int written));
            Assert.True(ContentListingEntry.TryRead(buffer.AsSpan(0, written), out ContentListingEntry read));
            Assert.Equal(entry, read);
            for (int cut = 0; cut < written; cut++)
            {
                Assert.False(ContentListingEntry.TryRead(buffer.AsSpan(0, cut), out _));
                Assert.False(entry.TryWrite(buffer.AsSpan(0, cut), out _));
            }

            Assert.False(ContentListingEntry.TryRead([.. buffer.AsSpan(0, written), 0], out _));
        }

        Assert.Throws<ArgumentException>(() => new ContentListingEntry(Id, 1, 1, new string('x', 256)).TryWrite(new byte[400], out _));
    }

    [Fact]
    public void RandomBytes_NeverThrowInAnyReader()
    {
        Gen.Byte.Array[0, 300].Sample(
            bytes =>
            {
                if (ResponseHeader.TryRead(bytes, out ResponseHeader header))
                {
                    byte[] again = new byte[DistributionLimits.MaxResponseHeaderLength];
                    Assert.True(header.TryWrite(again, out int written));
                    Assert.Equal(bytes, again[..written]);
                }

                ServerMessage.TryReadTag(bytes, out _, out _);
                ServerMessage.TryReadError(bytes, out _, out _);
                ServerMessage.TryReadStored(bytes, out _);
                ServerMessage.TryReadData(bytes, out _);
                ChannelMessageHeader.TryRead(bytes, out _, out _);
                ChunkMessage.TryRead(bytes, out _, out _);
                if (ContentListingEntry.TryRead(bytes, out ContentListingEntry entry))
                {
                    byte[] again = new byte[ContentListingEntry.MaxLength];
                    Assert.True(entry.TryWrite(again, out int written));
                    Assert.Equal(bytes, again[..written]);
                }
            },
            iter: 20_000);
    }
}

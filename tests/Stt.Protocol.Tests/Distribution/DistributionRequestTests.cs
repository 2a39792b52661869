using System.Buffers;
using CsCheck;
using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Protocol.Tests.Distribution;

public class DistributionRequestTests
{
    private static readonly ContentId Id = ContentId.FromHash(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    public static TheoryData<string> ValidRequestNames => new(ValidRequests.Keys);

    private static Dictionary<string, DistributionRequest> ValidRequests => new()
    {
        ["publish"] = DistributionRequest.Publish("a"),
        ["publish long"] = DistributionRequest.Publish(new string('x', 128)),
        ["publish path"] = DistributionRequest.Publish("Cam-1/main_feed.v2"),
        ["subscribe live"] = DistributionRequest.Subscribe("news/live", SubscribeOptions.None),
        ["subscribe replay"] = DistributionRequest.Subscribe("news/live", SubscribeOptions.Replay),
        ["manifest"] = DistributionRequest.GetManifest(Id),
        ["chunks"] = DistributionRequest.GetChunks(Id, 0, 1),
        ["chunks large"] = DistributionRequest.GetChunks(Id, 1UL << 40, (1UL << 62) - (1UL << 40)),
        ["list start"] = DistributionRequest.ListContent(null, 0),
        ["list cursor"] = DistributionRequest.ListContent(Id, 100_000),
        ["put unnamed"] = DistributionRequest.PutContent(null, 0, 1),
        ["put named"] = DistributionRequest.PutContent("vidéo 🎬.mp4", 123_456_789, 1 << 24),
        ["put long name"] = DistributionRequest.PutContent(new string('n', 255), (1UL << 62) - 1, 65536),
    };

    [Theory]
    [MemberData(nameof(ValidRequestNames))]
    public void RoundTrip_EveryKind(string name)
    {
        DistributionRequest request = ValidRequests[name];
        byte[] encoded = Encode(request);
        Assert.Equal(encoded.Length, DistributionRequestWriter.GetLength(request));
        Assert.True(encoded.Length <= DistributionLimits.MaxRequestLength);
        Assert.True(DistributionRequestReader.TryRead(encoded, out DistributionRequest read, out DistributionStatus error));
        Assert.Equal(DistributionStatus.Ok, error);
        Assert.Equal(request, read);
    }

    [Theory]
    [MemberData(nameof(ValidRequestNames))]
    public void EveryTruncation_IsMalformed(string name)
    {
        byte[] encoded = Encode(ValidRequests[name]);
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.False(DistributionRequestReader.TryRead(encoded.AsSpan(0, length), out DistributionRequest request, out DistributionStatus error));
            Assert.Equal(DistributionStatus.MalformedRequest, error);
            Assert.Equal(default, request);
        }
    }

    [Theory]
    [MemberData(nameof(ValidRequestNames))]
    public void TrailingByte_IsMalformed(string name)
    {
        byte[] encoded = [.. Encode(ValidRequests[name]), 0];
        Assert.False(DistributionRequestReader.TryRead(encoded, out _, out DistributionStatus error));
        Assert.Equal(DistributionStatus.MalformedRequest, error);
    }

    [Theory]
    [MemberData(nameof(ValidRequestNames))]
    public void TryWrite_ShortDestination_ReturnsFalse(string name)
    {
        DistributionRequest request = ValidRequests[name];
        int length = DistributionRequestWriter.GetLength(request);
        byte[] buffer = new byte[length];
        for (int size = 0; size < length; size++)
        {
            Assert.False(DistributionRequestWriter.TryWrite(buffer.AsSpan(0, size), request, out _));
        }

        Assert.True(DistributionRequestWriter.TryWrite(buffer, request, out int written));
        Assert.Equal(length, written);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x07)]
    [InlineData(0xFF)]
    public void UnknownKind_IsReported(byte kind)
    {
        Assert.False(DistributionRequestReader.TryRead([kind, 1, 2, 3], out _, out DistributionStatus error));
        Assert.Equal(DistributionStatus.UnknownKind, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a//b")]
    [InlineData(".")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a b")]
    [InlineData("a+b")]
    [InlineData("é")]
    public void InvalidChannelNames_AreRejectedOnBothSides(string channel)
    {
        Assert.Throws<ArgumentException>(() => DistributionRequest.Publish(channel));
        Assert.Throws<ArgumentException>(() => DistributionRequest.Subscribe(channel, SubscribeOptions.None));
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(channel);
        byte[] message = [0x01, (byte)bytes.Length, .. bytes];
        Assert.False(DistributionRequestReader.TryRead(message, out _, out DistributionStatus error));
        Assert.Equal(DistributionStatus.MalformedRequest, error);
    }

    [Fact]
    public void OversizeChannelName_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => DistributionRequest.Publish(new string('x', 129)));
        byte[] message = [0x02, 129, .. Enumerable.Repeat((byte)'x', 129), 0];
        Assert.False(DistributionRequestReader.TryRead(message, out _, out DistributionStatus error));
        Assert.Equal(DistributionStatus.MalformedRequest, error);
    }

    [Fact]
    public void ValidChannelNames_AreAccepted()
    {
        Assert.True(ChannelName.IsValid("a.b_c-D/0/..x".AsSpan()));
        Assert.True(ChannelName.IsValid("..."u8));
        Assert.True(ChannelName.IsValid(new string('z', 128).AsSpan()));
    }

    [Fact]
    public void OversizeOrControlContentName_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => DistributionRequest.PutContent(new string('n', 256), 1, 1));
        Assert.Throws<ArgumentException>(() => DistributionRequest.PutContent(new string('é', 128), 1, 1));
        Assert.Throws<ArgumentException>(() => DistributionRequest.PutContent("a\nb", 1, 1));
        Assert.Throws<ArgumentException>(() => DistributionRequest.PutContent("a\ud800b", 1, 1));
        Assert.False(DistributionRequestReader.TryRead([0x06, 1, 1, 3, (byte)'a', 0x09, (byte)'b'], out _, out DistributionStatus control));
        Assert.Equal(DistributionStatus.MalformedRequest, control);
        Assert.False(DistributionRequestReader.TryRead([0x06, 1, 1, 2, 0xC3, 0x28], out _, out DistributionStatus utf8));
        Assert.Equal(DistributionStatus.MalformedRequest, utf8);
    }

    [Fact]
    public void ChunkSize_OutOfRange_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributionRequest.PutContent(null, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributionRequest.PutContent(null, 1, (1 << 24) + 1));
        Assert.False(DistributionRequestReader.TryRead([0x06, 0x01, 0x00, 0x00], out _, out DistributionStatus zero));
        Assert.Equal(DistributionStatus.MalformedRequest, zero);
        // 2^24 + 1 as a 4-byte varint.
        Assert.False(DistributionRequestReader.TryRead([0x06, 0x01, 0x81, 0x00, 0x00, 0x01, 0x00], out _, out DistributionStatus large));
        Assert.Equal(DistributionStatus.TooLarge, large);
    }

    [Fact]
    public void ChunkRange_EmptyOrPastTheVarintRange_IsInvalidRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributionRequest.GetChunks(Id, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributionRequest.GetChunks(Id, 1UL << 61, (1UL << 61) + 1));
        byte[] empty = [0x04, .. Id.ToArray(), 0x05, 0x00];
        Assert.False(DistributionRequestReader.TryRead(empty, out _, out DistributionStatus error));
        Assert.Equal(DistributionStatus.InvalidRange, error);
        byte[] overflow = [0x04, .. Id.ToArray(), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        Assert.False(DistributionRequestReader.TryRead(overflow, out _, out error));
        Assert.Equal(DistributionStatus.InvalidRange, error);
        byte[] last = [0x04, .. Id.ToArray(), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        Assert.True(DistributionRequestReader.TryRead(last, out DistributionRequest request, out _));
        Assert.Equal(1UL, request.ChunkCount);
    }

    [Fact]
    public void ReservedBits_AndNonMinimalVarints_AreMalformed()
    {
        Assert.False(DistributionRequestReader.TryRead([0x02, 1, (byte)'a', 0x02], out _, out DistributionStatus options));
        Assert.Equal(DistributionStatus.MalformedRequest, options);
        Assert.False(DistributionRequestReader.TryRead([0x05, 0x02, 0x00], out _, out DistributionStatus flags));
        Assert.Equal(DistributionStatus.MalformedRequest, flags);
        Assert.False(DistributionRequestReader.TryRead([0x05, 0x00, 0x40, 0x05], out _, out DistributionStatus varint));
        Assert.Equal(DistributionStatus.MalformedRequest, varint);
        Assert.False(DistributionRequestReader.TryRead([], out _, out DistributionStatus empty));
        Assert.Equal(DistributionStatus.MalformedRequest, empty);
    }

    [Fact]
    public void WriteToBufferWriter_MatchesTryWrite()
    {
        var writer = new ArrayBufferWriter<byte>();
        DistributionRequestWriter.WritePublish(writer, "p");
        DistributionRequestWriter.WriteSubscribe(writer, "s", SubscribeOptions.Replay);
        DistributionRequestWriter.WriteGetManifest(writer, Id);
        DistributionRequestWriter.WriteGetChunks(writer, Id, 2, 3);
        DistributionRequestWriter.WriteListContent(writer, null, 4);
        DistributionRequestWriter.WritePutContent(writer, "n", 5, 6);
        byte[] expected =
        [
            .. Encode(DistributionRequest.Publish("p")),
            .. Encode(DistributionRequest.Subscribe("s", SubscribeOptions.Replay)),
            .. Encode(DistributionRequest.GetManifest(Id)),
            .. Encode(DistributionRequest.GetChunks(Id, 2, 3)),
            .. Encode(DistributionRequest.ListContent(null, 4)),
            .. Encode(DistributionRequest.PutContent("n", 5, 6)),
        ];
        Assert.Equal(expected, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void RandomBytes_NeverThrow_AndValidOnesReencodeIdentically()
    {
        Gen.Byte.Array[0, 80].Sample(
            bytes =>
            {
                if (DistributionRequestReader.TryRead(bytes, out DistributionRequest request, out DistributionStatus error))
                {
                    Assert.Equal(DistributionStatus.Ok, error);
                    Assert.Equal(bytes, Encode(request));
                }
                else
                {
                    Assert.NotEqual(DistributionStatus.Ok, error);
                }
            },
            iter: 20_000);
    }

    [Fact]
    public void RandomBodiesAfterEveryKind_NeverThrow()
    {
        Gen.Select(Gen.Byte[1, 6], Gen.Byte.Array[0, 60]).Sample(
            (kind, body) =>
            {
                byte[] message = [kind, .. body];
                if (DistributionRequestReader.TryRead(message, out DistributionRequest request, out _))
                {
                    Assert.Equal(message, Encode(request));
                }
            },
            iter: 20_000);
    }

    [Fact]
    public void RandomValidRequests_RoundTrip()
    {
        var channel = Gen.Char["abcXYZ019._-/"].Array[1, 128].Select(chars => new string(chars)).Where(name => ChannelName.IsValid(name.AsSpan()));
        var varint = Gen.ULong[0, (1UL << 62) - 1];
        Gen.Select(Gen.Int[0, 5], channel, Gen.Byte.Array[32], varint, varint, Gen.String[Gen.Char.AlphaNumeric, 0, 255]).Sample(
            (kind, name, idBytes, a, b, text) =>
            {
                var id = ContentId.FromHash(idBytes);
                DistributionRequest request = kind switch
                {
                    0 => DistributionRequest.Publish(name),
                    1 => DistributionRequest.Subscribe(name, (SubscribeOptions)(a & 1)),
                    2 => DistributionRequest.GetManifest(id),
                    3 => DistributionRequest.GetChunks(id, a / 2, Math.Max(1, b / 2)),
                    4 => DistributionRequest.ListContent((a & 1) == 0 ? null : id, b),
                    _ => DistributionRequest.PutContent(text, a, 1 + (b % (1 << 24))),
                };
                Assert.True(DistributionRequestReader.TryRead(Encode(request), out DistributionRequest read, out _));
                Assert.Equal(request, read);
            },
            iter: 5_000);
    }

    private static byte[] Encode(in DistributionRequest request)
    {
        byte[] buffer = new byte[DistributionLimits.MaxRequestLength];
        Assert.True(DistributionRequestWriter.TryWrite(buffer, request, out int written));
        return buffer[..written];
    }
}

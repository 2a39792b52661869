using System.Buffers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Protection;
using Stt.Protocol.Protection.Internal;
using Xunit;

namespace Stt.Protocol.Tests;

/// <summary>Checks every test vector of docs/protocol.md, section 14, against the implementation.</summary>
public class ProtocolDocumentVectorTests
{
    private static readonly Dictionary<string, string> Vectors = ReadVectors();

    [Fact]
    public void Document_HasEveryVectorSection()
    {
        Assert.Equal(28, Vectors.Count);
    }

    [Fact]
    public void Varints_EncodeAndDecodeAsDocumented()
    {
        var varints = Vectors.Where(v => v.Key.StartsWith("varint ", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, varints.Count);
        Span<byte> buffer = stackalloc byte[8];
        foreach ((string name, string hex) in varints)
        {
            ulong value = ulong.Parse(name["varint ".Length..]);
            int length = Varint.Write(buffer, value);
            Assert.Equal(hex, Convert.ToHexStringLower(buffer[..length]));
            Assert.Equal(OperationStatus.Done, Varint.TryRead(Convert.FromHexString(hex), out ulong decoded, out int consumed));
            Assert.Equal(value, decoded);
            Assert.Equal(length, consumed);
        }
    }

    [Theory]
    [InlineData("4025")]
    [InlineData("80000025")]
    [InlineData("c000000000000025")]
    public void Varints_DocumentedNonMinimalEncodings_AreInvalid(string hex)
    {
        Assert.Equal(OperationStatus.InvalidData, Varint.TryRead(Convert.FromHexString(hex), out _, out _));
    }

    [Fact]
    public void FrameHeader_WritesAndScansAsDocumented()
    {
        var header = new FrameHeader(FrameType.Data, FrameFlags.KeyPhase | FrameFlags.Fin, 0x0123456789ABCDEF, 42, 1216, 300);
        Span<byte> buffer = stackalloc byte[FrameHeader.MaxSize];
        int length = FrameWriter.WriteHeader(buffer, header);
        Assert.Equal(Vectors["header"], Convert.ToHexStringLower(buffer[..length]));

        byte[] frame = new byte[length + header.BodyLength];
        buffer[..length].CopyTo(frame);
        Assert.Equal(OperationStatus.Done, FrameScanner.TryReadFrame(frame, FrameHeader.MaxBodyLength, out FrameHeader scanned, out int frameLength));
        Assert.Equal(header, scanned);
        Assert.Equal(frame.Length, frameLength);
    }

    [Fact]
    public void FrameProtection_KeyScheduleAndSealedFramesAsDocumented()
    {
        byte[] secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] key = new byte[KeySchedule.KeySize];
        byte[] iv = new byte[KeySchedule.IvSize];
        KeySchedule.DeriveKey(secret, key);
        KeySchedule.DeriveIv(secret, iv);
        byte[] next = (byte[])secret.Clone();
        KeySchedule.AdvanceSecret(next);
        Assert.Equal(Vectors["key[i2r,0]"], Convert.ToHexStringLower(key));
        Assert.Equal(Vectors["iv[i2r,0]"], Convert.ToHexStringLower(iv));
        Assert.Equal(Vectors["secret[i2r,1]"], Convert.ToHexStringLower(next));

        using var sealer = new FrameSealer(secret, 0x0123456789ABCDEF, FrameProtectionOptions.Default, new FakeTimeProvider());
        byte[] control = new byte[64];
        control[FrameSealer.GetHeaderSize(0)] = 0x01;
        int controlLength = sealer.Seal(control, FrameType.Control, FrameFlags.None, 0, 1, out ulong controlSequence);
        Assert.Equal(0UL, controlSequence);
        Assert.Equal(Vectors["sealed control seq 0"], Convert.ToHexStringLower(control.AsSpan(0, controlLength)));

        byte[] data = new byte[64];
        byte[] plaintext = [0x00, .. "hello, STT"u8];
        plaintext.CopyTo(data.AsSpan(FrameSealer.GetHeaderSize(1)));
        int dataLength = sealer.Seal(data, FrameType.Data, FrameFlags.Fin, 1, plaintext.Length, out ulong dataSequence);
        Assert.Equal(1UL, dataSequence);
        Assert.Equal(Vectors["sealed data seq 1"], Convert.ToHexStringLower(data.AsSpan(0, dataLength)));

        using var opener = new FrameOpener(secret, 0x0123456789ABCDEF, FrameProtectionOptions.Default, new FakeTimeProvider());
        byte[] received = Convert.FromHexString(Vectors["sealed data seq 1"]);
        Assert.Equal(OperationStatus.Done, FrameScanner.TryReadFrame(received, FrameHeader.MaxBodyLength, out FrameHeader header, out _));
        Assert.Equal(OpenStatus.Ok, opener.TryOpen(received, header, out int offset, out int length));
        Assert.Equal(plaintext, received.AsSpan(offset, length).ToArray());
    }

    [Fact]
    public void Handshake_FixedInputs_ProduceTheDocumentedFramesAndSecrets()
    {
        HandshakeVector vector = HandshakeVectorGenerator.Generate(
            initiatorNodeSeed: Sequence(0x00),
            responderNodeSeed: Sequence(0x20),
            sharedSeed: Sequence(0x40),
            initiatorEphemeral: Sequence(0x60),
            responderEphemeral: Sequence(0x80),
            handshakeId: 0x0123456789ABCDEF,
            initiatorNonce: Sequence(0xA0),
            responderNonce: Sequence(0xC0),
            timestampMilliseconds: 1_767_225_600_000);

        Assert.Equal(Vectors["hello"], Convert.ToHexStringLower(vector.Hello));
        Assert.Equal(Vectors["response"], Convert.ToHexStringLower(vector.Response));
        Assert.Equal(Vectors["auth_proof"], Convert.ToHexStringLower(vector.AuthProof));
        Assert.Equal(Vectors["final"], Convert.ToHexStringLower(vector.Final));
        Assert.Equal(Vectors["session_id"], vector.SessionId.ToString("x16"));
        Assert.Equal(Vectors["node_id_i"], vector.InitiatorNodeId);
        Assert.Equal(Vectors["node_id_r"], vector.ResponderNodeId);
        Assert.Equal(Vectors["secret_i2r_0"], Convert.ToHexStringLower(vector.InitiatorToResponderSecret));
        Assert.Equal(Vectors["secret_r2i_0"], Convert.ToHexStringLower(vector.ResponderToInitiatorSecret));
        Assert.Equal(Vectors["h"], Convert.ToHexStringLower(vector.HandshakeHash));
    }

    private static byte[] Sequence(int start) => Enumerable.Range(start, 32).Select(i => (byte)i).ToArray();

    private static Dictionary<string, string> ReadVectors()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "protocol.md"));
        var vectors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match block in Regex.Matches(text, "```vectors\\n(.*?)```", RegexOptions.Singleline))
        {
            foreach (string line in block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = line.IndexOf('=', StringComparison.Ordinal);
                vectors.Add(line[..equals].Trim(), line[(equals + 1)..].Trim());
            }
        }

        return vectors;
    }
}

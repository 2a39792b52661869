using Stt.Protocol.Crypto;
using Stt.Protocol.Noise;
using Xunit;

namespace Stt.Protocol.Tests.Noise;

public sealed class HandshakeStateTests
{
    private static readonly byte[] Psk = Enumerable.Repeat((byte)9, 32).ToArray();

    [Fact]
    public void TryReadMessage_TamperedMessage2_ReturnsFalseAndGenuineMessageStillCompletes()
    {
        var initiator = new HandshakeState(NoiseProtocol.SttV1, isInitiator: true, "p"u8, Psk);
        var responder = new HandshakeState(NoiseProtocol.SttV1, isInitiator: false, "p"u8, Psk);
        var message1 = new byte[64];
        Assert.True(initiator.TryWriteMessage("hi"u8, message1, RandomSource.System, out int length1));
        var payload = new byte[64];
        Assert.True(responder.TryReadMessage(message1.AsSpan(0, length1), payload, out _));
        var message2 = new byte[64];
        Assert.True(responder.TryWriteMessage("yo"u8, message2, RandomSource.System, out int length2));

        for (int i = 0; i < length2; i++)
        {
            byte[] tampered = message2.AsSpan(0, length2).ToArray();
            tampered[i] ^= 0x01;
            Assert.False(initiator.TryReadMessage(tampered, payload, out _));
            Assert.False(initiator.IsComplete);
        }

        Assert.False(initiator.TryReadMessage(message2.AsSpan(0, 47), payload, out _));
        Assert.True(initiator.TryReadMessage(message2.AsSpan(0, length2), payload, out int payloadLength));
        Assert.Equal("yo"u8.ToArray(), payload.AsSpan(0, payloadLength).ToArray());
        var hashI = new byte[32];
        var hashR = new byte[32];
        initiator.CopyHandshakeHash(hashI);
        responder.CopyHandshakeHash(hashR);
        Assert.Equal(hashR, hashI);
    }

    [Fact]
    public void TryReadMessage_LowOrderEphemeralInMessage2_ReturnsFalse()
    {
        var initiator = new HandshakeState(NoiseProtocol.SttV1, isInitiator: true, default, Psk);
        Assert.True(initiator.TryWriteMessage(default, new byte[48], RandomSource.System, out _));

        // The all-zero point has order 1: X25519 with it yields zero, which the DH function rejects.
        Assert.False(initiator.TryReadMessage(new byte[48], new byte[16], out _));
    }

    [Fact]
    public void TryWriteMessage_OutOfTurn_ThrowsInvalidOperationException()
    {
        var responder = new HandshakeState(NoiseProtocol.SttV1, isInitiator: false, default, Psk);

        Assert.Throws<InvalidOperationException>(() => responder.TryWriteMessage(default, new byte[64], RandomSource.System, out _));
    }

    [Fact]
    public void Parse_UnsupportedName_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => NoiseProtocol.Parse("Noise_XX_25519_AESGCM_SHA256"));
        Assert.Throws<ArgumentException>(() => NoiseProtocol.Parse("Noise_NNpsk0_25519_AESGCM_BLAKE2s"));
        Assert.Same(NoiseProtocol.SttV1, NoiseProtocol.Parse("Noise_NNpsk0_25519_AESGCM_SHA256"));
    }
}

using System.Security.Cryptography;
using Stt.Protocol.Handshake;
using Xunit;

namespace Stt.Protocol.Tests.Handshake;

public sealed class HandshakeResultTests
{
    [Fact]
    public void Constructor_ChainingKeyAndHash_SecretsMatchRfc5869ExtractThenExpand()
    {
        byte[] ck = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] h = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        byte[] master = HKDF.Extract(HashAlgorithmName.SHA256, ck, h);
        byte[] expectedI2R = HKDF.Expand(HashAlgorithmName.SHA256, master, 32, "STT/1 data i2r"u8.ToArray());
        byte[] expectedR2I = HKDF.Expand(HashAlgorithmName.SHA256, master, 32, "STT/1 data r2i"u8.ToArray());
        using var result = new HandshakeResult(SessionRole.Responder, 1, default, default, ck, h);

        Assert.Equal(expectedI2R, result.InitiatorToResponderSecret.ToArray());
        Assert.Equal(expectedR2I, result.ResponderToInitiatorSecret.ToArray());
        Assert.Equal(expectedR2I, result.SendSecret.ToArray());
        Assert.Equal(expectedI2R, result.ReceiveSecret.ToArray());
    }

    [Fact]
    public void SendSecret_AfterDispose_ThrowsObjectDisposedException()
    {
        var result = new HandshakeResult(SessionRole.Initiator, 1, default, default, new byte[32], new byte[32]);
        result.Dispose();

        Assert.Throws<ObjectDisposedException>(() => result.SendSecret.Length);
        Assert.Throws<ObjectDisposedException>(() => result.HandshakeHash.Length);
    }
}

using System.Security.Cryptography;
using Stt.Protocol.Handshake;
using Stt.Protocol.Handshake.Internal;
using Xunit;

namespace Stt.Protocol.Tests.Handshake;

public sealed class SessionKeyScheduleTests
{
    [Fact]
    public void DeriveDataSecrets_ChainingKeyAndHash_MatchRfc5869ExtractThenExpand()
    {
        byte[] ck = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] h = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        byte[] master = HKDF.Extract(HashAlgorithmName.SHA256, ck, h);
        byte[] expectedI2R = HKDF.Expand(HashAlgorithmName.SHA256, master, 32, "STT/1 data i2r"u8.ToArray());
        byte[] expectedR2I = HKDF.Expand(HashAlgorithmName.SHA256, master, 32, "STT/1 data r2i"u8.ToArray());
        var i2r = new byte[32];
        var r2i = new byte[32];

        SessionKeySchedule.DeriveDataSecrets(ck, h, i2r, r2i);

        Assert.Equal(expectedI2R, i2r);
        Assert.Equal(expectedR2I, r2i);
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

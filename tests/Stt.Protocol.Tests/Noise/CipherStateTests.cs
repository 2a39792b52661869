using Stt.Protocol.Noise;
using Xunit;

namespace Stt.Protocol.Tests.Noise;

public sealed class CipherStateTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecryptWithAd_FailedTag_DoesNotAdvanceNonce(bool chaCha)
    {
        NoiseCipherFunction cipher = chaCha ? NoiseCipherFunction.ChaChaPoly : NoiseCipherFunction.AesGcm;
        var sender = new CipherState(cipher);
        var receiver = new CipherState(cipher);
        byte[] key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        sender.InitializeKey(key);
        receiver.InitializeKey(key);
        var ciphertext = new byte[21];
        var plaintext = new byte[5];
        Assert.Equal(21, sender.EncryptWithAd("ad"u8, "hello"u8, ciphertext));

        Assert.False(receiver.DecryptWithAd("AD"u8, ciphertext, plaintext, out _));
        Assert.Equal(0UL, receiver.Nonce);
        Assert.True(receiver.DecryptWithAd("ad"u8, ciphertext, plaintext, out int length));
        Assert.Equal(1UL, receiver.Nonce);
        Assert.Equal("hello"u8.ToArray(), plaintext.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void EncryptWithAd_ReservedNonce_ThrowsInvalidOperationException()
    {
        var state = new CipherState(NoiseCipherFunction.AesGcm);
        state.InitializeKey(new byte[32]);
        state.SetNonce(ulong.MaxValue);

        Assert.Throws<InvalidOperationException>(() => state.EncryptWithAd(default, default, new byte[16]));
    }

    [Fact]
    public void Rekey_BothSides_KeepInterop()
    {
        var a = new CipherState(NoiseCipherFunction.ChaChaPoly);
        var b = new CipherState(NoiseCipherFunction.ChaChaPoly);
        a.InitializeKey(new byte[32]);
        b.InitializeKey(new byte[32]);
        a.Rekey();
        var ciphertext = new byte[17];
        a.EncryptWithAd(default, [42], ciphertext);

        Assert.False(b.DecryptWithAd(default, ciphertext, new byte[1], out _));
        b.Rekey();
        Assert.True(b.DecryptWithAd(default, ciphertext, new byte[1], out _));
    }
}

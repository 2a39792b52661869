using System.Security.Cryptography;
using NSec.Cryptography;
using Stt.Protocol.Identity;
using Xunit;

namespace Stt.Protocol.Tests.Identity;

public sealed class SharedSeedTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void Constructor_SeedShorterThan32Bytes_ThrowsArgumentExceptionPointingToPassphrase(int length)
    {
        var exception = Assert.Throws<ArgumentException>(() => new SharedSeed(new byte[length]));

        Assert.Equal("seed", exception.ParamName);
        Assert.Contains("at least 32 bytes", exception.Message, StringComparison.Ordinal);
        Assert.Contains("FromPassphrase", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Psk_RawSeed_IsHkdfSha256WithSharedSeedSaltAndPskInfo()
    {
        byte[] seed = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        var expected = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, expected, "STT/1 shared-seed"u8.ToArray(), "psk"u8.ToArray());

        using var shared = new SharedSeed(seed);

        Assert.Equal(expected, shared.Psk.ToArray());
    }

    [Fact]
    public void FromPassphrase_ComposedAndDecomposedForms_BothEqualArgon2idOfNfcUtf8ThenHkdf()
    {
        var stretched = new byte[32];
        PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 65536, NumberOfPasses = 3 })
            .DeriveBytes("caf\u00e9 au lait"u8, "STT/1 passphrase"u8, stretched);
        using var expected = new SharedSeed(stretched);

        using var composed = SharedSeed.FromPassphrase("caf\u00e9 au lait");
        using var decomposed = SharedSeed.FromPassphrase("cafe\u0301 au lait");

        Assert.Equal(expected.Psk.ToArray(), composed.Psk.ToArray());
        Assert.Equal(expected.Psk.ToArray(), decomposed.Psk.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void FromPassphrase_EmptyOrWhiteSpace_ThrowsArgumentException(string passphrase)
    {
        Assert.Throws<ArgumentException>(() => SharedSeed.FromPassphrase(passphrase));
    }

    [Fact]
    public void Psk_AfterDispose_ThrowsObjectDisposedException()
    {
        var shared = new SharedSeed(new byte[32]);
        shared.Dispose();

        Assert.Throws<ObjectDisposedException>(() => shared.Psk.Length);
    }
}

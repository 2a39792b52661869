using System.Security.Cryptography;
using NSec.Cryptography;
using Stt.Protocol.Identity;
using Xunit;

namespace Stt.Protocol.Tests.Identity;

public sealed class NodeIdentityTests
{
    private static byte[] Seed(byte value, int length = 32) => Enumerable.Repeat(value, length).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    public void Constructor_SeedShorterThan32Bytes_ThrowsArgumentExceptionNamingTheMinimum(int length)
    {
        var exception = Assert.Throws<ArgumentException>(() => new NodeIdentity(new byte[length]));

        Assert.Equal("nodeSeed", exception.ParamName);
        Assert.Contains("at least 32 bytes", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Seed_MatchesHkdfThenEd25519ThenSha256()
    {
        byte[] nodeSeed = Seed(0x5A, 48);
        var ed25519Seed = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, nodeSeed, ed25519Seed, "STT/1 node-seed"u8.ToArray(), "ed25519"u8.ToArray());
        using var nsecKey = Key.Import(SignatureAlgorithm.Ed25519, ed25519Seed, KeyBlobFormat.RawPrivateKey);
        byte[] expectedPublicKey = nsecKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        using var identity = new NodeIdentity(nodeSeed);

        Assert.Equal(expectedPublicKey, identity.PublicKey.ToArray());
        Assert.Equal(new NodeId(SHA256.HashData(expectedPublicKey)), identity.NodeId);
    }

    [Fact]
    public void Constructor_SameSeedTwice_SameIdentity_DifferentSeed_DifferentIdentity()
    {
        using var a = new NodeIdentity(Seed(1));
        using var b = new NodeIdentity(Seed(1));
        using var c = new NodeIdentity(Seed(2));

        Assert.Equal(a.NodeId, b.NodeId);
        Assert.NotEqual(a.NodeId, c.NodeId);
    }

    [Fact]
    public void Sign_Message_VerifiesHereAndWithNSecButNotWhenTampered()
    {
        using var identity = new NodeIdentity(Seed(3));
        byte[] message = "STT/1 auth-proof and a hash"u8.ToArray();
        var signature = new byte[NodeIdentity.SignatureLength];

        identity.Sign(message, signature);

        Assert.True(NodeIdentity.Verify(identity.PublicKey, message, signature));
        var nsecPublicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, identity.PublicKey, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(nsecPublicKey, message, signature));
        message[0] ^= 1;
        Assert.False(NodeIdentity.Verify(identity.PublicKey, message, signature));
        Assert.False(NodeIdentity.Verify(identity.PublicKey[..31], message, signature));
    }

    [Fact]
    public void Sign_AfterDispose_ThrowsObjectDisposedException()
    {
        var identity = new NodeIdentity(Seed(4));
        identity.Dispose();

        Assert.Throws<ObjectDisposedException>(() => identity.Sign([1, 2, 3], new byte[64]));
    }
}

using Stt.Protocol.Protection.Internal;
using Xunit;

namespace Stt.Protocol.Tests.Protection.Internal;

public sealed class KeyScheduleTests
{
    // Expected values computed independently with Python's cryptography package (HMAC-SHA256 extract, HKDFExpand).
    private static readonly byte[] Secret0 = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void DeriveInitialSecrets_FixedChainingKeyAndHash_MatchesPinnedVector()
    {
        byte[] chainingKey = Enumerable.Range(0x20, 32).Select(i => (byte)i).ToArray();
        byte[] handshakeHash = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();
        var i2r = new byte[32];
        var r2i = new byte[32];

        KeySchedule.DeriveInitialSecrets(chainingKey, handshakeHash, i2r, r2i);

        Assert.Equal("5ea67dfe2e5806cf379d484554c85dc1761e9d08d87de15bff7e4215c4a9f27f", Convert.ToHexStringLower(i2r));
        Assert.Equal("27ec10eb3dcff9228722121b5d2458485f86c2d461ff2d2eec9150f638448900", Convert.ToHexStringLower(r2i));
    }

    [Fact]
    public void DeriveKeyAndIv_Epoch0_MatchesPinnedVector()
    {
        var key = new byte[32];
        var iv = new byte[12];

        KeySchedule.DeriveKey(Secret0, key);
        KeySchedule.DeriveIv(Secret0, iv);

        Assert.Equal("06a5353a9130a63b81c3f2041debc2fc2e32fe715261e5e3c5a52439b77b4a3c", Convert.ToHexStringLower(key));
        Assert.Equal("11bd018b023507441964f28d", Convert.ToHexStringLower(iv));
    }

    [Fact]
    public void AdvanceSecret_TwoUpdates_MatchPinnedVectors()
    {
        byte[] secret = Secret0.ToArray();
        var key = new byte[32];
        var iv = new byte[12];

        KeySchedule.AdvanceSecret(secret);
        Assert.Equal("4161620557bf61badf95923330be3bf67dd8f43c4c009bd18410129fe1d40c80", Convert.ToHexStringLower(secret));
        KeySchedule.DeriveKey(secret, key);
        KeySchedule.DeriveIv(secret, iv);
        KeySchedule.AdvanceSecret(secret);

        Assert.Equal("7819a2172f836934c731734f13c5a7df178b7d07910fe46a135849d527a46b32", Convert.ToHexStringLower(key));
        Assert.Equal("a1d923fb1d8e8533dc3c1302", Convert.ToHexStringLower(iv));
        Assert.Equal("66ab78f18a9afc238ba12379c6b497e5734bd543a1878f44543ca539eb704694", Convert.ToHexStringLower(secret));
    }

    [Fact]
    public void DeriveInitialSecrets_OutputNot32Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => KeySchedule.DeriveInitialSecrets(new byte[32], new byte[32], new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => KeySchedule.DeriveInitialSecrets(new byte[32], new byte[32], new byte[32], new byte[33]));
    }
}

using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Noise;
using Xunit;

namespace Stt.Protocol.Tests.Handshake;

public sealed class HandshakeVectorGeneratorTests
{
    private static HandshakeVector Generate() =>
        HandshakeVectorGenerator.Generate(
            initiatorNodeSeed: Sequence(0x00, 32),
            responderNodeSeed: Sequence(0x20, 32),
            sharedSeed: Sequence(0x40, 32),
            initiatorEphemeral: Sequence(0x60, 32),
            responderEphemeral: Sequence(0x80, 32),
            handshakeId: 0x0123456789ABCDEF,
            initiatorNonce: Sequence(0xA0, 32),
            responderNonce: Sequence(0xC0, 32),
            timestampMilliseconds: 1_767_225_600_000);

    [Fact]
    public void Generate_FixedInputs_ProducesPinnedBytes()
    {
        HandshakeVector vector = Generate();

        Assert.Equal(Pinned, vector.ToText());
    }

    [Fact]
    public void Generate_FixedInputs_FramesCarryTheFixedValues()
    {
        HandshakeVector vector = Generate();
        var ephemeralPublic = new byte[32];
        X25519.DerivePublicKey(Sequence(0x60, 32), ephemeralPublic);

        Assert.Equal(143, vector.Hello.Length);
        Assert.Equal(135, vector.Response.Length);
        Assert.Equal(135, vector.AuthProof.Length);
        Assert.Equal(135, vector.Final.Length);
        Assert.Equal("010001234567" + "89abcdef" + "0000000000000000" + "00000078" + "00", Convert.ToHexStringLower(vector.Hello.AsSpan(0, 23)));
        Assert.Equal(ephemeralPublic, vector.Hello.AsSpan(23, 32).ToArray());
        Assert.Equal("0104", Convert.ToHexStringLower(vector.Response.AsSpan(0, 2)));
        Assert.Equal(0x05, vector.AuthProof[0]);
        Assert.Equal(0x04, vector.Final[1]);
    }

    [Fact]
    public void Generate_SameInputsTwice_SameOutput()
    {
        Assert.Equal(Generate().ToText(), Generate().ToText());
    }

    private static byte[] Sequence(int start, int length) => Enumerable.Range(start, length).Select(i => (byte)i).ToArray();

    // Cross-checked once against an independent implementation (Python, pyca/cryptography) of protocol.md sections 1, 6, 7.
    private const string Pinned =
        """
        hello         = 01000123456789abcdef00000000000000000000007800675dd574ed7789310b3d2e7681f3790b466c773b1521fecf36577958371ea52f6bc4d490b83347386a91fd19eb645e797537a6c5b18b195a66da1aa66d9737987d02e1ba43b53cd508cc0427dad260ddf7257cd3869413516acb51cb57b63a3beee4a206fe70e86e28cc7c33879b34e6400ca9888d8a732c
        response      = 01040123456789abcdef00000000000000000000007000493e82fc74464a59268817623d2053c5eb8e2cc4a988b4fee179ec6b010d531dfc2f28b9972543b8b12a49d54eacd5d2d603f7ffe50e5acb742ecd48ace8d14cee587233eac3051267f73930257c1b4cd85eb3eb0b1b52d95234b87661c6063d3697b3b2db7a117aa7a13a0003dde903
        auth_proof    = 0500e69f436c30dec9ce0000000000000000000000700083cecc9adef4d9c18e9b0a25a81e5a4e427feb904a8368350e3af3f6a5dc4d104306b1224900d0e1481cca5b808667c92d5fe95fab785676e486c3fc50306fe4fe5776e5b728d1f01cf1bb3e0a6277715be5b6ccf905079b821d14a917f3e3f15085c13d3863d5d7aeeb62db80a24353
        final         = 0504e69f436c30dec9ce000000000000000000000070001ba552c0d0eacbaae677054da184b4976c45aea022d6bcbaec8f8884dd7409dab947921139837b59f14bfef7b68d0a5d102f61e007e09395c3cb6039d7904f3e6d94c7856048d86b8a6dc9cbec356883e8672b159b76bf6329a871298d5f56dc5da3079e91328ce51d84850f068629a3
        session_id    = e69f436c30dec9ce
        node_id_i     = ebedd09e5eb837ef9a79d7f99ae32edefb38eb892fc2922c05beb70bfa9a991c
        node_id_r     = 6d12f3920e069e41ff3c6266ccdd579d3e64580cb0816a8b66e178b833653b67
        secret_i2r_0  = d83e5ce50ca5b5f77b403f2cd2d58969ca28913811a3c6b6735609c54dc81952
        secret_r2i_0  = 5cdeb48312a551857ac3026246554c95546cdd038e95cd006a833b8aa7cd1a0f
        h             = ac367e50c9411790ab56e0d2adc92dbb8c14df6d03b0689c801cc6cdad493ae9
        """;
}

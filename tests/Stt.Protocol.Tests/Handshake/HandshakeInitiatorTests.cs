using Stt.Protocol.Handshake;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;
using Xunit;
using static Stt.Protocol.Tests.Handshake.HandshakeTestKit;

namespace Stt.Protocol.Tests.Handshake;

public sealed class HandshakeInitiatorTests
{
    [Fact]
    public void FullHandshake_GenuinePeers_BothSidesAgreeOnSessionNodeIdsAndSecrets()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();

        byte[] hello = Hello(initiator);
        byte[] response = Response(responder, hello);
        byte[] authProof = AuthProof(initiator, response);
        byte[] final = Final(responder, authProof, out HandshakeResult responderResult);
        HandshakeStatus status = initiator.ProcessFinal(Parse(final), final, out HandshakeResult? initiatorResult);

        Assert.Equal(HandshakeStatus.Complete, status);
        using (responderResult)
        using (initiatorResult)
        {
            Assert.NotNull(initiatorResult);
            Assert.True(initiator.IsComplete);
            Assert.True(responder.IsComplete);
            Assert.Equal(SessionRole.Initiator, initiatorResult.Role);
            Assert.Equal(SessionRole.Responder, responderResult.Role);
            Assert.Equal(initiatorResult.SessionId, responderResult.SessionId);
            Assert.Equal(responder.SessionId, initiatorResult.SessionId);
            Assert.Equal(kit.InitiatorIdentity.NodeId, initiatorResult.LocalNodeId);
            Assert.Equal(kit.ResponderIdentity.NodeId, initiatorResult.PeerNodeId);
            Assert.Equal(kit.ResponderIdentity.NodeId, responderResult.LocalNodeId);
            Assert.Equal(kit.InitiatorIdentity.NodeId, responderResult.PeerNodeId);
            Assert.Equal(initiatorResult.SendSecret.ToArray(), responderResult.ReceiveSecret.ToArray());
            Assert.Equal(initiatorResult.ReceiveSecret.ToArray(), responderResult.SendSecret.ToArray());
            Assert.NotEqual(initiatorResult.SendSecret.ToArray(), initiatorResult.ReceiveSecret.ToArray());
            Assert.Equal(initiatorResult.HandshakeHash.ToArray(), responderResult.HandshakeHash.ToArray());
            Assert.Equal(32, initiatorResult.SendSecret.Length);
        }
    }

    [Fact]
    public void FullHandshake_SessionId_IsXorOfNoncesAndNodeIdsReadBigEndian()
    {
        byte[] nonceI = Filled(0xA0);
        byte[] nonceR = Filled(0x0B);
        HandshakeVector vector = HandshakeVectorGenerator.Generate(
            Filled(1), Filled(2), Filled(3), Filled(4), Filled(5), 42, nonceI, nonceR, 1_700_000_000_000);
        NodeId idI = NodeId.Parse(vector.InitiatorNodeId);
        NodeId idR = NodeId.Parse(vector.ResponderNodeId);
        var a = new byte[32];
        var b = new byte[32];
        idI.CopyTo(a);
        idR.CopyTo(b);
        var xor = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            xor[i] = (byte)(nonceI[i] ^ nonceR[i] ^ a[i] ^ b[i]);
        }

        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(xor), vector.SessionId);
        Assert.Equal(vector.SessionId, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(vector.AuthProof.AsSpan(2)));
    }

    [Fact]
    public void WriteHello_PaddedTo1200_WritesZeroPaddedFrameTheResponderAccepts()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();

        byte[] hello = Hello(initiator, 1200);

        Assert.Equal(1200, hello.Length);
        Assert.Equal(1200 - 23, Parse(hello).BodyLength);
        Assert.Equal(135, Response(kit.NewResponder(), hello).Length);
    }

    [Fact]
    public void WriteHello_Twice_ThrowsInvalidOperationException()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        Hello(initiator);

        Assert.Throws<InvalidOperationException>(() => initiator.WriteHello(new byte[143]));
    }

    [Fact]
    public void WriteHello_PaddingAboveMaxHelloFrameLength_ThrowsArgumentOutOfRange()
    {
        using var kit = new HandshakeTestKit(new HandshakeOptions { MaxHelloFrameLength = 1200 });

        Assert.Throws<ArgumentOutOfRangeException>(() => kit.NewInitiator().WriteHello(new byte[1201], 1201));
    }

    [Fact]
    public void ProcessResponse_EveryBitFlipped_RejectedAndGenuineResponseStillCompletes()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] response = Response(responder, Hello(initiator));
        var destination = new byte[135];

        for (int bit = 0; bit < response.Length * 8; bit++)
        {
            byte[] tampered = FlipBit(response, bit);
            destination.AsSpan().Fill(0xEE);
            HandshakeStatus status = initiator.ProcessResponse(Parse(tampered), tampered, destination, out int written);

            // Header bytes (type, flags, handshake ID, sequence, length, stream) break a header rule; anything in the
            // body changes e (and so every key) or the ciphertext, and the tag fails.
            HandshakeStatus expected = bit / 8 < 23 ? HandshakeStatus.BadFrame : HandshakeStatus.AuthFailed;
            Assert.True(expected == status, $"bit {bit}: expected {expected}, got {status}");
            Assert.Equal(0, written);
            Assert.All(destination, b => Assert.Equal(0xEE, b));
        }

        byte[] authProof = AuthProof(initiator, response);
        byte[] final = Final(responder, authProof, out HandshakeResult responderResult);
        responderResult.Dispose();
        Assert.Equal(HandshakeStatus.Complete, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? result));
        result!.Dispose();
    }

    [Fact]
    public void ProcessFinal_EveryBitFlipped_RejectedAndGenuineFinalStillCompletes()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] authProof = AuthProof(initiator, Response(responder, Hello(initiator)));
        byte[] final = Final(responder, authProof, out HandshakeResult responderResult);
        responderResult.Dispose();

        for (int bit = 0; bit < final.Length * 8; bit++)
        {
            byte[] tampered = FlipBit(final, bit);
            HandshakeStatus status = initiator.ProcessFinal(Parse(tampered), tampered, out HandshakeResult? result);

            HandshakeStatus expected = bit / 8 < 23 ? HandshakeStatus.BadFrame : HandshakeStatus.AuthFailed;
            Assert.True(expected == status, $"bit {bit}: expected {expected}, got {status}");
            Assert.Null(result);
        }

        Assert.Equal(HandshakeStatus.Complete, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? genuine));
        genuine!.Dispose();
    }

    [Fact]
    public void ProcessFinal_BeforeResponse_ReturnsUnexpected()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] hello = Hello(initiator);
        byte[] response = Response(responder, hello);
        HandshakeInitiator other = kit.NewInitiator();
        byte[] final = Final(responder, AuthProof(initiator, response), out HandshakeResult r);
        r.Dispose();
        Hello(other);

        Assert.Equal(HandshakeStatus.Unexpected, other.ProcessFinal(Parse(final), final, out _));
        Assert.Equal(HandshakeStatus.Unexpected, kit.NewInitiator().ProcessFinal(Parse(final), final, out _));
        Assert.Equal(HandshakeStatus.Unexpected, kit.NewInitiator().ProcessResponse(Parse(response), response, new byte[135], out _));
    }

    [Fact]
    public void ProcessResponse_Duplicate_ReturnsUnexpected()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        byte[] response = Response(kit.NewResponder(), Hello(initiator));
        AuthProof(initiator, response);

        Assert.Equal(HandshakeStatus.Unexpected, initiator.ProcessResponse(Parse(response), response, new byte[135], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void ProcessFinal_Duplicate_ReturnsUnexpected()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] final = Final(responder, AuthProof(initiator, Response(responder, Hello(initiator))), out HandshakeResult r);
        r.Dispose();
        Assert.Equal(HandshakeStatus.Complete, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? first));
        first!.Dispose();

        Assert.Equal(HandshakeStatus.Unexpected, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? second));
        Assert.Null(second);
    }

    [Fact]
    public void ProcessResponse_AfterHandshakeTimeout_ReturnsTimeout()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        byte[] response = Response(kit.NewResponder(), Hello(initiator));
        kit.Time.Advance(TimeSpan.FromSeconds(9.999));
        Assert.False(initiator.IsExpired);
        kit.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(initiator.IsExpired);
        Assert.Equal(HandshakeStatus.Timeout, initiator.ProcessResponse(Parse(response), response, new byte[135], out int written));
        Assert.Equal(0, written);
        Assert.Equal(HandshakeStatus.Timeout, initiator.ProcessResponse(Parse(response), response, new byte[135], out _));
    }

    [Fact]
    public void ProcessFinal_AfterHandshakeTimeout_ReturnsTimeout()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] final = Final(responder, AuthProof(initiator, Response(responder, Hello(initiator))), out HandshakeResult r);
        r.Dispose();
        kit.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(HandshakeStatus.Timeout, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? result));
        Assert.Null(result);
        Assert.False(initiator.IsComplete);
    }

    [Fact]
    public void ProcessFinal_ValidSignatureByKeyOtherThanClaimedNodeId_ReturnsNodeIdMismatch()
    {
        using var kit = new HandshakeTestKit();
        using var impostor = new NodeIdentity(Filled(0x44));
        HandshakeInitiator initiator = kit.NewInitiator();
        var peer = new ManualPeer();
        byte[] response = peer.ReadHelloAndWriteResponse(Hello(initiator), kit.Seed, kit.ResponderIdentity.NodeId);
        AuthProof(initiator, response);
        byte[] final = peer.WriteFinal(impostor, HandshakeFrames.FinalLabel);

        Assert.Equal(HandshakeStatus.NodeIdMismatch, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? result));
        Assert.Null(result);
    }

    [Fact]
    public void ProcessFinal_SignatureWithAuthProofLabel_ReturnsBadSignatureThenGenuineCompletes()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        var peer = new ManualPeer();
        byte[] response = peer.ReadHelloAndWriteResponse(Hello(initiator), kit.Seed, kit.ResponderIdentity.NodeId);
        AuthProof(initiator, response);
        byte[] wrongLabel = peer.WriteFinal(kit.ResponderIdentity, HandshakeFrames.AuthProofLabel);
        byte[] genuine = peer.WriteFinal(kit.ResponderIdentity, HandshakeFrames.FinalLabel);

        Assert.Equal(HandshakeStatus.BadSignature, initiator.ProcessFinal(Parse(wrongLabel), wrongLabel, out _));
        Assert.Equal(HandshakeStatus.Complete, initiator.ProcessFinal(Parse(genuine), genuine, out HandshakeResult? result));
        result!.Dispose();
    }

    [Fact]
    public void ProcessResponse_DestinationTooSmall_ThrowsWithoutChangingState()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        byte[] response = Response(kit.NewResponder(), Hello(initiator));

        Assert.Throws<ArgumentOutOfRangeException>(() => initiator.ProcessResponse(Parse(response), response, new byte[134], out _));
        Assert.Equal(135, AuthProof(initiator, response).Length);
    }
}

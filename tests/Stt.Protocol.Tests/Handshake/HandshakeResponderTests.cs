using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;
using Xunit;
using static Stt.Protocol.Tests.Handshake.HandshakeTestKit;

namespace Stt.Protocol.Tests.Handshake;

public sealed class HandshakeResponderTests
{
    [Fact]
    public void ProcessHello_WrongSharedSeed_ReturnsAuthFailedAndWritesNothing()
    {
        using var kit = new HandshakeTestKit();
        using var wrongSeed = new SharedSeed(Filled(0x34));
        byte[] hello = Hello(kit.NewInitiator(wrongSeed));
        HandshakeResponder responder = kit.NewResponder();
        byte[] destination = Filled(0xEE, 135);

        HandshakeStatus status = responder.ProcessHello(Parse(hello), hello, destination, out int written);

        Assert.Equal(HandshakeStatus.AuthFailed, status);
        Assert.Equal(0, written);
        Assert.All(destination, b => Assert.Equal(0xEE, b));
        Assert.Equal(0, kit.Cache.Count);
    }

    [Fact]
    public void ProcessHello_EveryBitFlipped_RejectedWithoutCacheEntryAndGenuineHelloStillAccepted()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        byte[] hello = Hello(initiator);
        HandshakeResponder responder = kit.NewResponder();
        byte[] destination = Filled(0xEE, 135);

        for (int bit = 0; bit < hello.Length * 8; bit++)
        {
            byte[] tampered = FlipBit(hello, bit);
            HandshakeStatus status = responder.ProcessHello(Parse(tampered), tampered, destination, out int written);

            // The handshake ID (bytes 2-9) is bound through the prologue, so it fails the tag; the other header
            // fields break a header rule; every body bit fails the tag.
            int index = bit / 8;
            HandshakeStatus expected = index < 23 && index is < 2 or > 9 ? HandshakeStatus.BadFrame : HandshakeStatus.AuthFailed;
            Assert.True(expected == status, $"bit {bit}: expected {expected}, got {status}");
            Assert.Equal(0, written);
        }

        Assert.All(destination, b => Assert.Equal(0xEE, b));
        Assert.Equal(0, kit.Cache.Count);
        byte[] response = Response(responder, hello);
        byte[] final = Final(responder, AuthProof(initiator, response), out HandshakeResult result);
        result.Dispose();
        Assert.Equal(HandshakeStatus.Complete, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? initiatorResult));
        initiatorResult!.Dispose();
    }

    [Fact]
    public void ProcessAuthProof_EveryBitFlipped_RejectedAndGenuineAuthProofStillCompletes()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] authProof = AuthProof(initiator, Response(responder, Hello(initiator)));
        byte[] destination = Filled(0xEE, 135);

        for (int bit = 0; bit < authProof.Length * 8; bit++)
        {
            byte[] tampered = FlipBit(authProof, bit);
            HandshakeStatus status = responder.ProcessAuthProof(Parse(tampered), tampered, destination, out int written, out HandshakeResult? result);

            HandshakeStatus expected = bit / 8 < 23 ? HandshakeStatus.BadFrame : HandshakeStatus.AuthFailed;
            Assert.True(expected == status, $"bit {bit}: expected {expected}, got {status}");
            Assert.Equal(0, written);
            Assert.Null(result);
        }

        Assert.All(destination, b => Assert.Equal(0xEE, b));
        byte[] final = Final(responder, authProof, out HandshakeResult genuine);
        genuine.Dispose();
        Assert.Equal(HandshakeStatus.Complete, initiator.ProcessFinal(Parse(final), final, out HandshakeResult? initiatorResult));
        initiatorResult!.Dispose();
    }

    [Fact]
    public void ProcessAuthProof_SplicedFromConcurrentHandshake_RejectedAndOwnAuthProofCompletes()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiatorA = kit.NewInitiator();
        HandshakeInitiator initiatorB = kit.NewInitiator();
        HandshakeResponder responderA = kit.NewResponder();
        HandshakeResponder responderB = kit.NewResponder();
        byte[] authProofA = AuthProof(initiatorA, Response(responderA, Hello(initiatorA)));
        byte[] authProofB = AuthProof(initiatorB, Response(responderB, Hello(initiatorB)));

        // As sent: B's session ID is not A's.
        Assert.Equal(HandshakeStatus.BadFrame, responderA.ProcessAuthProof(Parse(authProofB), authProofB, new byte[135], out int written, out _));
        Assert.Equal(0, written);

        // Restamped with A's session ID: B's body was sealed under B's key and B's header.
        byte[] restamped = (byte[])authProofB.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(restamped.AsSpan(2), responderA.SessionId);
        Assert.Equal(HandshakeStatus.AuthFailed, responderA.ProcessAuthProof(Parse(restamped), restamped, new byte[135], out written, out _));
        Assert.Equal(0, written);

        Assert.Equal(135, Final(responderA, authProofA, out HandshakeResult result).Length);
        result.Dispose();
    }

    [Theory]
    [InlineData(-30_001)]
    [InlineData(30_001)]
    [InlineData(-3_600_000)]
    public void ProcessHello_TimestampOutsideFreshnessWindow_ReturnsStale(int skewMilliseconds)
    {
        using var kit = new HandshakeTestKit();
        var initiatorClock = new FakeTimeProvider(kit.Time.GetUtcNow().AddMilliseconds(skewMilliseconds));
        byte[] hello = Hello(kit.NewInitiator(time: initiatorClock));

        Assert.Equal(HandshakeStatus.Stale, kit.NewResponder().ProcessHello(Parse(hello), hello, new byte[135], out int written));
        Assert.Equal(0, written);
        Assert.Equal(0, kit.Cache.Count);
    }

    [Theory]
    [InlineData(-30_000)]
    [InlineData(30_000)]
    public void ProcessHello_TimestampAtEdgeOfFreshnessWindow_IsAccepted(int skewMilliseconds)
    {
        using var kit = new HandshakeTestKit();
        var initiatorClock = new FakeTimeProvider(kit.Time.GetUtcNow().AddMilliseconds(skewMilliseconds));
        byte[] hello = Hello(kit.NewInitiator(time: initiatorClock));

        Assert.Equal(HandshakeStatus.Continue, kit.NewResponder().ProcessHello(Parse(hello), hello, new byte[135], out _));
    }

    [Fact]
    public void ProcessHello_ReplayedToAnotherResponder_ReturnsReplay()
    {
        using var kit = new HandshakeTestKit();
        byte[] hello = Hello(kit.NewInitiator());
        Response(kit.NewResponder(), hello);
        kit.Time.Advance(TimeSpan.FromSeconds(29));

        Assert.Equal(HandshakeStatus.Replay, kit.NewResponder().ProcessHello(Parse(hello), hello, new byte[135], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void ProcessHello_ReplayAfterCacheLifetime_ReturnsStale()
    {
        using var kit = new HandshakeTestKit();
        byte[] hello = Hello(kit.NewInitiator());
        Response(kit.NewResponder(), hello);
        kit.Time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(HandshakeStatus.Stale, kit.NewResponder().ProcessHello(Parse(hello), hello, new byte[135], out _));
    }

    [Fact]
    public void ProcessHello_CacheFullOfLiveEntries_ReturnsReplayCacheFullUntilEntriesExpire()
    {
        using var kit = new HandshakeTestKit(new HandshakeOptions { ReplayCacheCapacity = 2 });
        Response(kit.NewResponder(), Hello(kit.NewInitiator()));
        Response(kit.NewResponder(), Hello(kit.NewInitiator()));
        byte[] third = Hello(kit.NewInitiator());

        Assert.Equal(HandshakeStatus.ReplayCacheFull, kit.NewResponder().ProcessHello(Parse(third), third, new byte[135], out int written));
        Assert.Equal(0, written);
        Assert.Equal(2, kit.Cache.Count);

        kit.Time.Advance(TimeSpan.FromSeconds(60.001));
        byte[] fresh = Hello(kit.NewInitiator());
        Assert.Equal(HandshakeStatus.Continue, kit.NewResponder().ProcessHello(Parse(fresh), fresh, new byte[135], out _));
        Assert.Equal(1, kit.Cache.Count);
    }

    [Fact]
    public void ProcessHello_SecondHelloOnSameResponder_ReturnsUnexpected()
    {
        using var kit = new HandshakeTestKit();
        HandshakeResponder responder = kit.NewResponder();
        byte[] hello = Hello(kit.NewInitiator());
        Response(responder, hello);
        byte[] other = Hello(kit.NewInitiator());

        Assert.Equal(HandshakeStatus.Unexpected, responder.ProcessHello(Parse(hello), hello, new byte[135], out _));
        Assert.Equal(HandshakeStatus.Unexpected, responder.ProcessHello(Parse(other), other, new byte[135], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void ProcessHello_NonZeroPadding_ReturnsBadPayload()
    {
        using var kit = new HandshakeTestKit();
        byte[] hello = new ManualPeer().WriteHello(
            kit.Seed, kit.InitiatorIdentity.NodeId, kit.Time.GetUtcNow().ToUnixTimeMilliseconds(), [0, 0, 1, 0]);

        Assert.Equal(HandshakeStatus.BadPayload, kit.NewResponder().ProcessHello(Parse(hello), hello, new byte[135], out int written));
        Assert.Equal(0, written);
        Assert.Equal(0, kit.Cache.Count);
    }

    [Fact]
    public void ProcessHello_LargerThanMaxHelloFrameLength_ReturnsBadFrame()
    {
        using var kit = new HandshakeTestKit();
        byte[] hello = Hello(kit.NewInitiator(), 1300);
        var strict = new HandshakeResponder(
            kit.ResponderIdentity, kit.Seed, kit.Cache, new HandshakeOptions { MaxHelloFrameLength = 1200 }, kit.Time);

        Assert.Equal(HandshakeStatus.BadFrame, strict.ProcessHello(Parse(hello), hello, new byte[135], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void ProcessHello_HeaderDisagreesWithFrameBytes_ReturnsBadFrame()
    {
        using var kit = new HandshakeTestKit();
        byte[] hello = Hello(kit.NewInitiator());
        FrameHeader header = Parse(hello) with { SessionId = 7 };

        Assert.Equal(HandshakeStatus.BadFrame, kit.NewResponder().ProcessHello(header, hello, new byte[135], out _));
    }

    [Fact]
    public void ProcessAuthProof_BeforeHello_ReturnsUnexpected()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        byte[] authProof = AuthProof(initiator, Response(kit.NewResponder(), Hello(initiator)));

        Assert.Equal(HandshakeStatus.Unexpected, kit.NewResponder().ProcessAuthProof(Parse(authProof), authProof, new byte[135], out int written, out _));
        Assert.Equal(0, written);
    }

    [Fact]
    public void ProcessAuthProof_DuplicateAfterSuccess_ReturnsSameFinalAndOtherFramesUnexpected()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] response = Response(responder, Hello(initiator));
        byte[] authProof = AuthProof(initiator, response);
        byte[] final = Final(responder, authProof, out HandshakeResult result);
        result.Dispose();
        var again = new byte[135];

        Assert.Equal(HandshakeStatus.DuplicateAuthProof, responder.ProcessAuthProof(Parse(authProof), authProof, again, out int written, out HandshakeResult? none));
        Assert.Equal(135, written);
        Assert.Equal(final, again);
        Assert.Null(none);

        byte[] tampered = FlipBit(authProof, 8 * 100);
        Assert.Equal(HandshakeStatus.Unexpected, responder.ProcessAuthProof(Parse(tampered), tampered, new byte[135], out written, out _));
        Assert.Equal(0, written);
        Assert.Equal(HandshakeStatus.Unexpected, responder.ProcessHello(Parse(response), response, new byte[135], out _));
    }

    [Fact]
    public void ProcessAuthProof_AfterHandshakeTimeout_ReturnsTimeout()
    {
        using var kit = new HandshakeTestKit();
        HandshakeInitiator initiator = kit.NewInitiator();
        HandshakeResponder responder = kit.NewResponder();
        byte[] authProof = AuthProof(initiator, Response(responder, Hello(initiator)));
        kit.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(responder.IsExpired);
        Assert.Equal(HandshakeStatus.Timeout, responder.ProcessAuthProof(Parse(authProof), authProof, new byte[135], out int written, out HandshakeResult? result));
        Assert.Equal(0, written);
        Assert.Null(result);
        Assert.Equal(HandshakeStatus.Timeout, responder.ProcessAuthProof(Parse(authProof), authProof, new byte[135], out _, out _));
    }

    [Fact]
    public void ProcessAuthProof_ValidSignatureByKeyOtherThanClaimedNodeId_ReturnsNodeIdMismatch()
    {
        using var kit = new HandshakeTestKit();
        using var impostor = new NodeIdentity(Filled(0x55));
        var peer = new ManualPeer();
        byte[] hello = peer.WriteHello(kit.Seed, kit.InitiatorIdentity.NodeId, kit.Time.GetUtcNow().ToUnixTimeMilliseconds(), []);
        HandshakeResponder responder = kit.NewResponder();
        byte[] response = Response(responder, hello);
        byte[] authProof = peer.ReadResponseAndWriteAuthProof(response, impostor, HandshakeFrames.AuthProofLabel);

        Assert.Equal(HandshakeStatus.NodeIdMismatch, responder.ProcessAuthProof(Parse(authProof), authProof, new byte[135], out int written, out _));
        Assert.Equal(0, written);
        Assert.False(responder.IsComplete);
    }

    [Fact]
    public void ProcessAuthProof_SignatureWithFinalLabel_ReturnsBadSignature()
    {
        using var kit = new HandshakeTestKit();
        var peer = new ManualPeer();
        byte[] hello = peer.WriteHello(kit.Seed, kit.InitiatorIdentity.NodeId, kit.Time.GetUtcNow().ToUnixTimeMilliseconds(), []);
        HandshakeResponder responder = kit.NewResponder();
        byte[] authProof = peer.ReadResponseAndWriteAuthProof(Response(responder, hello), kit.InitiatorIdentity, HandshakeFrames.FinalLabel);

        Assert.Equal(HandshakeStatus.BadSignature, responder.ProcessAuthProof(Parse(authProof), authProof, new byte[135], out int written, out _));
        Assert.Equal(0, written);
    }
}

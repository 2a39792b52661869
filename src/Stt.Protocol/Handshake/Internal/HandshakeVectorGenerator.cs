using System.Buffers.Binary;
using Stt.Protocol.Encoding;
using Stt.Protocol.Identity;

namespace Stt.Protocol.Handshake.Internal;

/// <summary>
/// Runs a complete handshake through the real <see cref="HandshakeInitiator"/> and <see cref="HandshakeResponder"/> with
/// every random and time input fixed, to produce the test vectors of docs/protocol.md.
/// </summary>
internal static class HandshakeVectorGenerator
{
    /// <summary>Produces the four frames, the session ID and the secrets for the given inputs.</summary>
    /// <param name="initiatorNodeSeed">Initiator's node seed (at least 32 bytes).</param>
    /// <param name="responderNodeSeed">Responder's node seed (at least 32 bytes).</param>
    /// <param name="sharedSeed">Shared seed (at least 32 bytes).</param>
    /// <param name="initiatorEphemeral">Initiator's X25519 ephemeral private key (32 bytes).</param>
    /// <param name="responderEphemeral">Responder's X25519 ephemeral private key (32 bytes).</param>
    /// <param name="handshakeId">Handshake ID.</param>
    /// <param name="initiatorNonce">Nonce i (32 bytes).</param>
    /// <param name="responderNonce">Nonce r (32 bytes).</param>
    /// <param name="timestampMilliseconds">HELLO timestamp, Unix milliseconds; both clocks read this instant.</param>
    /// <param name="paddedHelloLength">HELLO frame length to pad to (0 for none).</param>
    /// <exception cref="InvalidOperationException">A step did not succeed (inputs that cannot complete a handshake).</exception>
    public static HandshakeVector Generate(
        ReadOnlySpan<byte> initiatorNodeSeed,
        ReadOnlySpan<byte> responderNodeSeed,
        ReadOnlySpan<byte> sharedSeed,
        ReadOnlySpan<byte> initiatorEphemeral,
        ReadOnlySpan<byte> responderEphemeral,
        ulong handshakeId,
        ReadOnlySpan<byte> initiatorNonce,
        ReadOnlySpan<byte> responderNonce,
        long timestampMilliseconds,
        int paddedHelloLength = 0)
    {
        var handshakeIdBytes = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(handshakeIdBytes, handshakeId);
        var clock = new FixedTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(timestampMilliseconds));
        var initiatorRandom = new QueuedRandomSource(handshakeIdBytes, initiatorNonce.ToArray(), initiatorEphemeral.ToArray());
        var responderRandom = new QueuedRandomSource(responderNonce.ToArray(), responderEphemeral.ToArray());

        using var initiatorIdentity = new NodeIdentity(initiatorNodeSeed);
        using var responderIdentity = new NodeIdentity(responderNodeSeed);
        using var initiatorSeed = new SharedSeed(sharedSeed);
        using var responderSeed = new SharedSeed(sharedSeed);
        var initiator = new HandshakeInitiator(initiatorIdentity, initiatorSeed, HandshakeOptions.Default, clock, initiatorRandom);
        var responder = new HandshakeResponder(
            responderIdentity, responderSeed, new HelloReplayCache(HandshakeOptions.Default, clock), HandshakeOptions.Default, clock, responderRandom);

        var hello = new byte[Math.Max(paddedHelloLength, HandshakeFrames.MinHelloFrameLength)];
        initiator.WriteHello(hello, paddedHelloLength);
        var response = new byte[HandshakeFrames.ResponseFrameLength];
        Expect(HandshakeStatus.Continue, responder.ProcessHello(ParseHeader(hello), hello, response, out _));
        var authProof = new byte[HandshakeFrames.AuthFrameLength];
        Expect(HandshakeStatus.Continue, initiator.ProcessResponse(ParseHeader(response), response, authProof, out _));
        var final = new byte[HandshakeFrames.AuthFrameLength];
        Expect(HandshakeStatus.Complete, responder.ProcessAuthProof(ParseHeader(authProof), authProof, final, out _, out HandshakeResult? responderResult));
        Expect(HandshakeStatus.Complete, initiator.ProcessFinal(ParseHeader(final), final, out HandshakeResult? initiatorResult));
        if (initiatorRandom.Remaining != 0 || responderRandom.Remaining != 0)
        {
            throw new InvalidOperationException("The handshake did not draw every fixed random input.");
        }

        using (responderResult)
        using (initiatorResult)
        {
            return new HandshakeVector(
                hello,
                response,
                authProof,
                final,
                initiatorResult!.SessionId,
                initiatorResult.LocalNodeId.ToString(),
                initiatorResult.PeerNodeId.ToString(),
                initiatorResult.InitiatorToResponderSecret.ToArray(),
                initiatorResult.ResponderToInitiatorSecret.ToArray(),
                initiatorResult.HandshakeHash.ToArray());
        }
    }

    // Handshake frames always have stream 0, so the header is the fixed part plus one varint byte.
    private static FrameHeader ParseHeader(ReadOnlySpan<byte> frame) =>
        new(
            (FrameType)frame[0],
            (FrameFlags)frame[1],
            BinaryPrimitives.ReadUInt64BigEndian(frame[2..]),
            BinaryPrimitives.ReadUInt64BigEndian(frame[10..]),
            (int)BinaryPrimitives.ReadUInt32BigEndian(frame[18..]),
            frame[FrameHeader.FixedSize]);

    private static void Expect(HandshakeStatus expected, HandshakeStatus actual)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"Handshake step returned {actual}, expected {expected}.");
        }
    }
}

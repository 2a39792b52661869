using System.Buffers;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Handshake.Internal;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;

namespace Stt.Protocol.Fuzz;

/// <summary>
/// Feeds one input to each handshake parser: as a HELLO to a responder (<see cref="Session.Accept"/>), as a RESPONSE
/// to an initiator that sent the fixed HELLO, and as an AUTH_PROOF to a responder that answered it. Every outcome must be
/// a status; any exception is a finding. Inputs start from the fixed handshake of docs/protocol.md, section 14.4.
/// </summary>
internal static class HandshakeTarget
{
    private const long Timestamp = 1_767_225_600_000;
    private const ulong HandshakeId = 0x0123456789ABCDEF;

    private static readonly FixedTimeProvider Clock = new(DateTimeOffset.FromUnixTimeMilliseconds(Timestamp));
    private static readonly NodeIdentity Initiator = new(Sequence(0x00));
    private static readonly NodeIdentity Responder = new(Sequence(0x20));
    private static readonly SharedSeed Seed = new(Sequence(0x40));
    private static readonly byte[] Hello = WriteGenuineHello();

    public static void Run(ReadOnlySpan<byte> input)
    {
        using (Session? accepted = Session.Accept(input, Responder, Seed, NewReplayCache(), out _, null, Clock, ResponderRandom()))
        {
            _ = accepted?.State;
        }

        if (FrameScanner.TryReadFrame(input, FrameHeader.MaxBodyLength, out FrameHeader header, out int length) != OperationStatus.Done
            || length != input.Length)
        {
            return;
        }

        HandshakeInitiator initiator = NewInitiator(out _);
        initiator.ProcessResponse(header, input, new byte[256], out _);
        initiator.ProcessFinal(header, input, out HandshakeResult? final);
        final?.Dispose();

        var responder = new HandshakeResponder(Responder, Seed, NewReplayCache(), HandshakeOptions.Default, Clock, ResponderRandom());
        FrameScanner.TryReadFrame(Hello, FrameHeader.MaxBodyLength, out FrameHeader helloHeader, out _);
        if (responder.ProcessHello(helloHeader, Hello, new byte[256], out _) != HandshakeStatus.Continue)
        {
            throw new FuzzFindingException("The genuine HELLO was refused.");
        }

        responder.ProcessAuthProof(header, input, new byte[256], out _, out HandshakeResult? result);
        result?.Dispose();
    }

    /// <summary>The genuine HELLO, RESPONSE and AUTH_PROOF of the fixed handshake, as seeds.</summary>
    public static IEnumerable<(string Name, byte[] Frame)> Seeds()
    {
        HandshakeVector vector = HandshakeVectorGenerator.Generate(
            Sequence(0x00), Sequence(0x20), Sequence(0x40), Sequence(0x60), Sequence(0x80), HandshakeId, Sequence(0xA0), Sequence(0xC0), Timestamp);
        yield return ("hello.bin", vector.Hello);
        yield return ("response.bin", vector.Response);
        yield return ("auth-proof.bin", vector.AuthProof);
        yield return ("final.bin", vector.Final);
    }

    private static HandshakeInitiator NewInitiator(out byte[] hello)
    {
        var initiator = new HandshakeInitiator(
            Initiator, Seed, HandshakeOptions.Default, Clock, new QueuedRandomSource(HandshakeIdBytes(), Sequence(0xA0), Sequence(0x60)));
        hello = new byte[256];
        int written = initiator.WriteHello(hello);
        hello = hello[..written];
        return initiator;
    }

    private static byte[] WriteGenuineHello()
    {
        NewInitiator(out byte[] hello);
        return hello;
    }

    private static HelloReplayCache NewReplayCache() => new(HandshakeOptions.Default, Clock);

    private static QueuedRandomSource ResponderRandom() => new(Sequence(0xC0), Sequence(0x80));

    private static byte[] HandshakeIdBytes() => [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF];

    private static byte[] Sequence(int start) => Enumerable.Range(start, 32).Select(i => (byte)i).ToArray();
}

using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Xunit;

namespace Stt.Protocol.Tests.Handshake;

/// <summary>Two nodes, a shared seed, a virtual clock and a replay cache, plus frame helpers for handshake tests.</summary>
internal sealed class HandshakeTestKit : IDisposable
{
    public HandshakeTestKit(HandshakeOptions? options = null)
    {
        Options = options ?? HandshakeOptions.Default;
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        InitiatorIdentity = new NodeIdentity(Filled(0x11));
        ResponderIdentity = new NodeIdentity(Filled(0x22));
        Seed = new SharedSeed(Filled(0x33));
        Cache = new HelloReplayCache(Options, Time);
    }

    public HandshakeOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public NodeIdentity InitiatorIdentity { get; }

    public NodeIdentity ResponderIdentity { get; }

    public SharedSeed Seed { get; }

    public HelloReplayCache Cache { get; }

    public static byte[] Filled(byte value, int length = 32) => Enumerable.Repeat(value, length).ToArray();

    public HandshakeInitiator NewInitiator(SharedSeed? seed = null, TimeProvider? time = null) =>
        new(InitiatorIdentity, seed ?? Seed, Options, time ?? Time);

    public HandshakeResponder NewResponder() => new(ResponderIdentity, Seed, Cache, Options, Time);

    public static byte[] Hello(HandshakeInitiator initiator, int padded = 0)
    {
        var buffer = new byte[Math.Max(padded, 143)];
        int length = initiator.WriteHello(buffer, padded);
        Assert.Equal(buffer.Length, length);
        return buffer;
    }

    public static byte[] Response(HandshakeResponder responder, byte[] hello)
    {
        var buffer = new byte[135];
        Assert.Equal(HandshakeStatus.Continue, responder.ProcessHello(Parse(hello), hello, buffer, out int written));
        Assert.Equal(135, written);
        return buffer;
    }

    public static byte[] AuthProof(HandshakeInitiator initiator, byte[] response)
    {
        var buffer = new byte[135];
        Assert.Equal(HandshakeStatus.Continue, initiator.ProcessResponse(Parse(response), response, buffer, out int written));
        Assert.Equal(135, written);
        return buffer;
    }

    public static byte[] Final(HandshakeResponder responder, byte[] authProof, out HandshakeResult result)
    {
        var buffer = new byte[135];
        Assert.Equal(HandshakeStatus.Complete, responder.ProcessAuthProof(Parse(authProof), authProof, buffer, out int written, out HandshakeResult? r));
        Assert.Equal(135, written);
        result = Assert.IsType<HandshakeResult>(r);
        return buffer;
    }

    /// <summary>
    /// Parses a header the way a lenient scanner would, without rejecting anything: tests feed the result to the state
    /// machines to check that they validate what is handshake-specific themselves. An undecodable stream ID becomes -1.
    /// </summary>
    public static FrameHeader Parse(ReadOnlySpan<byte> frame)
    {
        int streamId = -1;
        if (Varint.TryRead(frame[FrameHeader.FixedSize..], out ulong value, out _) == OperationStatus.Done)
        {
            streamId = (int)Math.Min(value, int.MaxValue);
        }

        return new FrameHeader(
            (FrameType)frame[0],
            (FrameFlags)frame[1],
            BinaryPrimitives.ReadUInt64BigEndian(frame[2..]),
            BinaryPrimitives.ReadUInt64BigEndian(frame[10..]),
            (int)BinaryPrimitives.ReadUInt32BigEndian(frame[18..]),
            streamId);
    }

    public static byte[] FlipBit(byte[] frame, int bit)
    {
        byte[] copy = (byte[])frame.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    public void Dispose()
    {
        InitiatorIdentity.Dispose();
        ResponderIdentity.Dispose();
        Seed.Dispose();
    }
}

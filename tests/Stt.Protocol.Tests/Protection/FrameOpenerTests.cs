using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Encoding;
using Stt.Protocol.Protection;
using Xunit;

namespace Stt.Protocol.Tests.Protection;

public sealed class FrameOpenerTests : IDisposable
{
    private static readonly FrameProtectionOptions NoRotation = FrameProtectionOptions.Default with
    {
        RotateAfterMessages = FrameProtectionOptions.RotateAfterMessagesLimit,
        RotateAfterBytes = FrameProtectionOptions.RotateAfterBytesLimit,
    };

    private readonly FakeTimeProvider _time = new();
    private readonly FrameSealer _sealer;
    private readonly FrameOpener _opener;

    public FrameOpenerTests()
    {
        _sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, NoRotation, _time);
        _opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, NoRotation, _time);
    }

    public static TheoryData<FrameType, int, int> RoundTripCases()
    {
        var data = new TheoryData<FrameType, int, int>();
        foreach (int size in new[] { 0, 1, 1200, 16 * 1024, FrameSealer.MaxPlaintextLength })
        {
            data.Add(FrameType.Data, 70, size);
            data.Add(FrameType.Control, 0, size);
            data.Add(FrameType.StreamControl, 65535, size);
        }

        return data;
    }

    public void Dispose()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void TryOpen_SealedFrame_ReturnsOkWithOriginalPlaintext(FrameType type, int streamId, int size)
    {
        byte[] plaintext = SealedFrames.Plaintext(size, seed: size);
        byte[] frame = SealedFrames.Seal(_sealer, plaintext, type, FrameFlags.None, streamId);

        var buffer = frame.ToArray();
        OpenStatus status = _opener.TryOpen(buffer, SealedFrames.ParseHeader(frame), out int offset, out int length);

        Assert.Equal(OpenStatus.Ok, status);
        Assert.Equal(FrameSealer.GetHeaderSize(streamId), offset);
        Assert.Equal(size, length);
        Assert.True(buffer.AsSpan(offset, length).SequenceEqual(plaintext));
        Assert.Equal(1, _opener.FramesOpened);
        Assert.Equal(size, _opener.BytesOpened);
        if (size >= 16)
        {
            Assert.False(frame.AsSpan(offset, size).SequenceEqual(plaintext));
        }
    }

    [Fact]
    public void TryOpen_FinFlag_RoundTripsThroughHeader()
    {
        byte[] frame = SealedFrames.Seal(_sealer, [1, 2, 3], FrameType.Data, FrameFlags.Fin, streamId: 9);

        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frame, out byte[] plaintext));
        Assert.Equal(FrameFlags.Fin, SealedFrames.ParseHeader(frame).Flags);
        Assert.Equal([1, 2, 3], plaintext);
    }

    [Fact]
    public void TryOpen_AnySingleBitFlipped_ReturnsAuthFailedAndLeavesWindowUnchanged()
    {
        byte[] frame = SealedFrames.Seal(_sealer, SealedFrames.Plaintext(40), FrameType.Data, FrameFlags.None, streamId: 300);
        FrameHeader header = SealedFrames.ParseHeader(frame);
        int bits = frame.Length * 8;

        for (int bit = 0; bit < bits; bit++)
        {
            byte[] tampered = frame.ToArray();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(_opener, tampered, header, out _));
        }

        Assert.Equal(bits, _opener.FailedDecryptions);
        Assert.Equal(0, _opener.FramesOpened);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frame));
        Assert.Equal(OpenStatus.Replay, SealedFrames.Open(_opener, frame));
    }

    [Fact]
    public void TryOpen_BitFlipsReparsedLikeScanner_AuthFailedOrWrongSessionNeverOk()
    {
        byte[] frame = SealedFrames.Seal(_sealer, SealedFrames.Plaintext(1200), FrameType.Data, FrameFlags.None, streamId: 1);
        var outcomes = new Dictionary<string, int>();

        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            byte[] tampered = frame.ToArray();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            string outcome = SealedFrames.TryParseHeader(tampered, out FrameHeader header)
                ? SealedFrames.Open(_opener, tampered, header, out _).ToString()
                : "ScannerDrops";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // Session ID bits are caught before any crypto. The scanner drops type flips other than DATA -> CONTROL (7),
        // every body-length flip (32) and flips of the stream varint's two length bits (2). Everything else, including
        // the type, flags, sequence and stream ID value bits, fails authentication.
        Assert.Equal(64, outcomes[nameof(OpenStatus.WrongSession)]);
        Assert.Equal(7 + 32 + 2, outcomes["ScannerDrops"]);
        Assert.Equal((frame.Length * 8) - 64 - 41, outcomes[nameof(OpenStatus.AuthFailed)]);
        Assert.Equal(3, outcomes.Count);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frame));
    }

    [Fact]
    public void TryOpen_ReplayedFrame_ReturnsReplay()
    {
        byte[] frame = SealedFrames.Seal(_sealer, [7]);

        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frame));
        Assert.Equal(OpenStatus.Replay, SealedFrames.Open(_opener, frame));
        byte[] replayed = frame.ToArray();
        Assert.Equal(OpenStatus.Replay, _opener.TryOpen(replayed, SealedFrames.ParseHeader(frame), out _, out _));

        Assert.Equal(frame, replayed);
        Assert.Equal(1, _opener.FramesOpened);
        Assert.Equal(0, _opener.FailedDecryptions);
    }

    [Fact]
    public void TryOpen_Sequence2048BelowHighest_ReturnsTooOldAnd2047BelowOpens()
    {
        var frames = new byte[2049][];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = SealedFrames.Seal(_sealer, [(byte)i]);
        }

        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frames[2048]));
        Assert.Equal(OpenStatus.TooOld, SealedFrames.Open(_opener, frames[0]));
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frames[1]));
        Assert.Equal(OpenStatus.Replay, SealedFrames.Open(_opener, frames[1]));
        Assert.Equal(0, _opener.FailedDecryptions);
    }

    [Fact]
    public void TryOpen_FramesWithinWindowOutOfOrder_EachOpensExactlyOnce()
    {
        byte[][] frames = Enumerable.Range(0, 300).Select(i => SealedFrames.Seal(_sealer, [(byte)i])).ToArray();
        int[] order = Enumerable.Range(0, 300).ToArray();
        new Random(42).Shuffle(order);

        foreach (int i in order)
        {
            Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frames[i], out byte[] plaintext));
            Assert.Equal([(byte)i], plaintext);
        }

        foreach (int i in order)
        {
            Assert.Equal(OpenStatus.Replay, SealedFrames.Open(_opener, frames[i]));
        }

        Assert.Equal(300, _opener.FramesOpened);
    }

    [Fact]
    public void TryOpen_ForgedFrameWithHugeSequence_AuthFailedAndWindowDoesNotAdvance()
    {
        byte[] legitimate = SealedFrames.Seal(_sealer, SealedFrames.Plaintext(100));
        byte[] forged = legitimate.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(forged.AsSpan(10), (1UL << 62) - 1);
        new Random(7).NextBytes(forged.AsSpan(23));

        Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(_opener, forged));
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, legitimate));
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, SealedFrames.Seal(_sealer, [1])));
        Assert.Equal(1, _opener.FailedDecryptions);
    }

    [Fact]
    public void TryOpen_ReflectedFrameIntoSendersOwnOpener_ReturnsAuthFailed()
    {
        // Peer A seals with secret[i2r] and opens with secret[r2i]; its own frames must not open on its receive side.
        using var openerOfA = new FrameOpener(SealedFrames.ResponderSecret, SealedFrames.SessionId, NoRotation, _time);
        using var sealerOfB = new FrameSealer(SealedFrames.ResponderSecret, SealedFrames.SessionId, NoRotation, _time);
        byte[] fromA = SealedFrames.Seal(_sealer, SealedFrames.Plaintext(64));

        Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(openerOfA, fromA));
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(openerOfA, SealedFrames.Seal(sealerOfB, SealedFrames.Plaintext(64))));
    }

    [Fact]
    public void TryOpen_OtherSessionId_ReturnsWrongSessionWithoutCountingFailure()
    {
        using var otherSession = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId + 1, NoRotation, _time);
        byte[] frame = SealedFrames.Seal(otherSession, [1]);

        Assert.Equal(OpenStatus.WrongSession, SealedFrames.Open(_opener, frame));
        Assert.Equal(0, _opener.FailedDecryptions);
    }

    [Fact]
    public void TryOpen_BodyShorterThanTag_ReturnsAuthFailed()
    {
        var frame = new byte[23 + 15];
        var header = new FrameHeader(FrameType.Control, FrameFlags.None, SealedFrames.SessionId, 0, 15, 0);
        FrameWriter.WriteHeader(frame, header);

        Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(_opener, frame, header, out _));
        Assert.Equal(1, _opener.FailedDecryptions);
    }

    [Fact]
    public void TryOpen_HeaderNotDescribingFrame_Throws()
    {
        byte[] frame = SealedFrames.Seal(_sealer, [1, 2]);
        FrameHeader header = SealedFrames.ParseHeader(frame);

        Assert.Throws<ArgumentException>(() => _opener.TryOpen(frame.AsSpan(0, frame.Length - 1), header, out _, out _));
        Assert.Throws<ArgumentException>(() => _opener.TryOpen(frame, header with { Type = FrameType.Auth }, out _, out _));
        Assert.Throws<ArgumentException>(() => _opener.TryOpen(frame, header with { BodyLength = -1 }, out _, out _));
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, frame));
    }

    [Fact]
    public void TryOpen_SeveralRotations_FollowsEachEpoch()
    {
        var options = NoRotation with { RotateAfterMessages = 3 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        using var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);

        for (int i = 0; i < 20; i++)
        {
            byte[] frame = SealedFrames.Seal(sealer, [(byte)i], out ulong sequence);
            Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, frame, out byte[] plaintext));
            Assert.Equal([(byte)i], plaintext);
            Assert.Equal(sealer.Epoch, opener.Epoch);
            Assert.Equal((sealer.Epoch & 1) == 1, (frame[1] & 1) == 1);
            sealer.OnAcknowledged(sequence);
        }

        Assert.Equal(6UL, sealer.Epoch);
        Assert.Equal(6UL, opener.Epoch);
    }

    [Fact]
    public void TryOpen_LateFrameOfPreviousEpochWithinGrace_Opens()
    {
        var options = NoRotation with { RotateAfterMessages = 2, KeyGracePeriod = TimeSpan.FromSeconds(10) };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        using var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        byte[] first = SealedFrames.Seal(sealer, [0]);
        byte[] late = SealedFrames.Seal(sealer, [1]);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, first));
        sealer.OnAcknowledged(0);
        byte[] nextEpoch = SealedFrames.Seal(sealer, [2]);

        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, nextEpoch));
        Assert.Equal(1UL, opener.Epoch);
        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));

        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, late, out byte[] plaintext));
        Assert.Equal([1], plaintext);
        Assert.Equal(1UL, opener.Epoch);
    }

    [Fact]
    public void TryOpen_LateFrameOfPreviousEpochAfterGrace_ReturnsKeyExpiredWithoutDecrypting()
    {
        var options = NoRotation with { RotateAfterMessages = 2, KeyGracePeriod = TimeSpan.FromSeconds(10) };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        using var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        byte[] first = SealedFrames.Seal(sealer, [0]);
        byte[] late = SealedFrames.Seal(sealer, [1]);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, first));
        sealer.OnAcknowledged(0);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, SealedFrames.Seal(sealer, [2])));
        Assert.True(opener.HoldsPreviousKey);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(OpenStatus.KeyExpired, SealedFrames.Open(opener, late));
        Assert.Equal(OpenStatus.KeyExpired, SealedFrames.Open(opener, late));

        Assert.False(opener.HoldsPreviousKey);
        Assert.Equal(0, opener.FailedDecryptions);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, SealedFrames.Seal(sealer, [3])));
    }

    [Fact]
    public void TryOpen_ZeroGracePeriod_PreviousEpochExpiresAtSwitch()
    {
        var options = NoRotation with { RotateAfterMessages = 2, KeyGracePeriod = TimeSpan.Zero };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        using var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, SealedFrames.Seal(sealer, [0])));
        byte[] late = SealedFrames.Seal(sealer, [1]);
        sealer.OnAcknowledged(0);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, SealedFrames.Seal(sealer, [2])));

        Assert.False(opener.HoldsPreviousKey);
        Assert.Equal(OpenStatus.KeyExpired, SealedFrames.Open(opener, late));
    }

    [Fact]
    public void TryOpen_ForgedFrameWithNextPhase_AuthFailedAndEpochUnchanged()
    {
        byte[] frame = SealedFrames.Seal(_sealer, SealedFrames.Plaintext(30));
        frame[1] |= (byte)FrameFlags.KeyPhase;

        Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(_opener, frame));

        Assert.Equal(0UL, _opener.Epoch);
        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, SealedFrames.Seal(_sealer, [1])));
        Assert.Equal(0UL, _opener.Epoch);
    }

    [Fact]
    public void TryOpen_FailedDecryptionBudgetExhausted_ReturnsAeadLimitReachedFromThenOn()
    {
        var options = NoRotation with { MaxFailedDecryptions = 3 };
        using var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        byte[] good = SealedFrames.Seal(_sealer, [1]);
        byte[] bad = good.ToArray();
        bad[^1] ^= 1;

        Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(opener, bad));
        Assert.Equal(OpenStatus.AuthFailed, SealedFrames.Open(opener, bad));
        Assert.Equal(OpenStatus.AeadLimitReached, SealedFrames.Open(opener, bad));
        Assert.Equal(OpenStatus.AeadLimitReached, SealedFrames.Open(opener, good));

        Assert.Equal(3, opener.FailedDecryptions);
        Assert.Equal(0, opener.FramesOpened);
    }

    [Fact]
    public void TryOpen_SequenceJustBelow2To62_Opens()
    {
        using var sealer = new FrameSealer(
            SealedFrames.InitiatorSecret, SealedFrames.SessionId, NoRotation, _time, (1UL << 62) - 1);

        Assert.Equal(OpenStatus.Ok, SealedFrames.Open(_opener, SealedFrames.Seal(sealer, [9]), out byte[] plaintext));
        Assert.Equal([9], plaintext);
    }

    [Fact]
    public void Dispose_AfterSwitches_ZeroesKeysAndRejectsTryOpen()
    {
        var options = NoRotation with { RotateAfterMessages = 1 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        byte[] frame = [];
        for (int i = 0; i < 3; i++)
        {
            frame = SealedFrames.Seal(sealer, [1], out ulong sequence);
            Assert.Equal(OpenStatus.Ok, SealedFrames.Open(opener, frame));
            sealer.OnAcknowledged(sequence);
        }

        opener.Dispose();
        opener.Dispose();

        Assert.True(opener.IsKeyMaterialZeroed);
        Assert.Throws<ObjectDisposedException>(() => SealedFrames.Open(opener, frame));
    }

    [Fact]
    public void SealAndTryOpen_AcrossRotations_AllocateNothing()
    {
        // The system clock: FakeTimeProvider's ITimer.Change allocates 56 bytes per call, the system timer's nothing.
        var options = NoRotation with { RotateAfterMessages = 10 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, TimeProvider.System);
        using var opener = new FrameOpener(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, TimeProvider.System);
        var buffer = new byte[200];
        int failures = 0;
        for (int i = 0; i < 20; i++)
        {
            failures += RoundTrip() == OpenStatus.Ok ? 0 : 1;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            failures += RoundTrip() == OpenStatus.Ok ? 0 : 1;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, failures);
        Assert.Equal(101UL, sealer.Epoch);
        Assert.Equal(101UL, opener.Epoch);

        OpenStatus RoundTrip()
        {
            int length = sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, 100, out ulong sequence);
            var header = new FrameHeader(FrameType.Data, (FrameFlags)buffer[1], SealedFrames.SessionId, sequence, 116, 1);
            sealer.OnAcknowledged(sequence);
            return opener.TryOpen(buffer.AsSpan(0, length), header, out _, out _);
        }
    }

    [Fact]
    public void SealAndTryOpen_SteadyState_AllocateNothing()
    {
        var buffer = new byte[1300];
        Assert.Equal(OpenStatus.Ok, RoundTrip(buffer));

        int failures = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            failures += RoundTrip(buffer) == OpenStatus.Ok ? 0 : 1;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, failures);
        Assert.Equal(1001, _opener.FramesOpened);

        OpenStatus RoundTrip(byte[] buffer)
        {
            int length = _sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, 1200, out ulong sequence);
            var header = new FrameHeader(FrameType.Data, FrameFlags.None, SealedFrames.SessionId, sequence, 1216, 1);
            return _opener.TryOpen(buffer.AsSpan(0, length), header, out _, out _);
        }
    }
}

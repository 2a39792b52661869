using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Encoding;
using Stt.Protocol.Protection;
using Xunit;

namespace Stt.Protocol.Tests.Protection;

public sealed class FrameSealerTests
{
    private static readonly FrameProtectionOptions NoRotation = FrameProtectionOptions.Default with
    {
        RotateAfterMessages = FrameProtectionOptions.RotateAfterMessagesLimit,
        RotateAfterBytes = FrameProtectionOptions.RotateAfterBytesLimit,
    };

    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(0, 23)]
    [InlineData(63, 23)]
    [InlineData(64, 24)]
    [InlineData(16383, 24)]
    [InlineData(16384, 26)]
    [InlineData(65535, 26)]
    public void GetHeaderSize_StreamId_Is22PlusVarintLength(int streamId, int expected)
    {
        Assert.Equal(expected, FrameSealer.GetHeaderSize(streamId));
        Assert.Equal(expected + 100 + 16, FrameSealer.GetFrameLength(streamId, 100));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void GetHeaderSize_StreamIdOutOfRange_Throws(int streamId)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameSealer.GetHeaderSize(streamId));
    }

    [Fact]
    public void GetFrameLength_PlaintextAboveMaximum_Throws()
    {
        Assert.Equal(2 * 1024 * 1024 + 26, FrameSealer.GetFrameLength(65535, FrameSealer.MaxPlaintextLength));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameSealer.GetFrameLength(1, FrameSealer.MaxPlaintextLength + 1));
    }

    [Fact]
    public void Seal_FirstFrames_WriteHeaderWithSequenceSessionAndBodyLength()
    {
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time);
        var buffer = new byte[200];
        int length = sealer.Seal(buffer, FrameType.Data, FrameFlags.Fin, 300, 50, out ulong first);
        int second = sealer.Seal(buffer, FrameType.Control, FrameFlags.None, 0, 0, out ulong secondSequence);

        Assert.Equal(24 + 50 + 16, length);
        Assert.Equal(23 + 16, second);
        Assert.Equal(0UL, first);
        Assert.Equal(1UL, secondSequence);
        Assert.Equal(2UL, sealer.NextSequence);
        Assert.Equal(2, sealer.FramesSealed);
        Assert.Equal(50, sealer.BytesSealed);
        FrameHeader header = SealedFrames.ParseHeader(buffer.AsSpan(0, second));
        Assert.Equal(new FrameHeader(FrameType.Control, FrameFlags.None, SealedFrames.SessionId, 1, 16, 0), header);
    }

    [Fact]
    public void Seal_BufferLongerThanFrame_LeavesBytesAfterFrameUntouched()
    {
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time);
        byte[] buffer = Enumerable.Repeat((byte)0xEE, 100).ToArray();

        int length = sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, 10, out _);

        Assert.Equal(23 + 10 + 16, length);
        Assert.All(buffer[length..], b => Assert.Equal(0xEE, b));
    }

    [Theory]
    [InlineData(FrameType.Handshake, FrameFlags.None, 0)]
    [InlineData(FrameType.Auth, FrameFlags.None, 0)]
    [InlineData((FrameType)0x06, FrameFlags.None, 1)]
    [InlineData(FrameType.Data, FrameFlags.KeyPhase, 1)]
    [InlineData(FrameType.Data, FrameFlags.FromResponder, 1)]
    [InlineData(FrameType.Data, FrameFlags.ChannelSealed, 1)]
    [InlineData(FrameType.Control, FrameFlags.Fin, 0)]
    [InlineData(FrameType.StreamControl, FrameFlags.Fin, 1)]
    [InlineData(FrameType.Data, FrameFlags.None, 0)]
    [InlineData(FrameType.Data, FrameFlags.None, 65536)]
    [InlineData(FrameType.StreamControl, FrameFlags.None, 0)]
    [InlineData(FrameType.Control, FrameFlags.None, 1)]
    public void Seal_FrameBreakingTypeRules_ThrowsAndSealsNothing(FrameType type, FrameFlags flags, int streamId)
    {
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time);
        var buffer = new byte[100];

        Assert.ThrowsAny<ArgumentException>(() => sealer.Seal(buffer, type, flags, streamId, 10, out _));

        Assert.Equal(0UL, sealer.NextSequence);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(-1, 100)]
    [InlineData(FrameSealer.MaxPlaintextLength + 1, FrameSealer.MaxPlaintextLength + 200)]
    [InlineData(10, 23 + 10 + 15)]
    public void Seal_BadLengthOrShortBuffer_ThrowsAndSealsNothing(int plaintextLength, int bufferLength)
    {
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time);
        var buffer = new byte[bufferLength];

        Assert.ThrowsAny<ArgumentException>(() => sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, plaintextLength, out _));

        Assert.Equal(0UL, sealer.NextSequence);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Constructor_SecretNot32Bytes_Throws(int length)
    {
        Assert.Throws<ArgumentException>(
            () => new FrameSealer(new byte[length], 1, FrameProtectionOptions.Default, _time));
    }

    [Fact]
    public void Seal_FixedInputs_MatchesPinnedVectors()
    {
        // Computed independently with Python's cryptography package (HKDFExpand, AESGCM); docs/protocol.md section 14.
        var options = FrameProtectionOptions.Default with { RotateAfterMessages = 2 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);

        byte[] ping = SealedFrames.Seal(sealer, [0x01], FrameType.Control, FrameFlags.None, streamId: 0);
        byte[] data = SealedFrames.Seal(sealer, [0x00, .. "hello, STT"u8], FrameType.Data, FrameFlags.Fin, streamId: 1);
        sealer.OnAcknowledged(1);
        byte[] rotated = SealedFrames.Seal(sealer, [0x00, .. "epoch one"u8], FrameType.Data, FrameFlags.None, streamId: 3);

        Assert.Equal(
            "03000123456789abcdef000000000000000000000011006ce559385cff8d2869e5492152e5fb4093",
            Convert.ToHexStringLower(ping));
        Assert.Equal(
            "02020123456789abcdef00000000000000010000001b01c87819a24355b2c9df5fccf32ea740be4dc34f9e06d14a32883d3b",
            Convert.ToHexStringLower(data));
        Assert.Equal(
            "02010123456789abcdef00000000000000020000001a03f9f5e041ed86bba5f2ece1bb698709e4693ca355cd48eaa438b2",
            Convert.ToHexStringLower(rotated));
        Assert.Equal(1UL, sealer.Epoch);
    }

    [Theory]
    [InlineData(0, 0UL)]
    [InlineData(1, 5UL)]
    [InlineData(1200, 0x0123_4567_89AB_CDEFUL)]
    [InlineData(5000, (1UL << 62) - 1)]
    public void Seal_AnyFrame_DecryptsWithSystemAesGcmUnderSpecNonceAndAssociatedData(int length, ulong firstSequence)
    {
        // A second, independent AES-GCM (OpenSSL through System.Security.Cryptography) checks section 8's construction.
        using var sealer = new FrameSealer(
            SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time, firstSequence);
        byte[] plaintext = SealedFrames.Plaintext(length);
        byte[] frame = SealedFrames.Seal(sealer, plaintext, FrameType.StreamControl, FrameFlags.None, streamId: 70);

        byte[] key = HKDF.Expand(HashAlgorithmName.SHA256, SealedFrames.InitiatorSecret, 32, "STT/1 key"u8.ToArray());
        byte[] nonce = HKDF.Expand(HashAlgorithmName.SHA256, SealedFrames.InitiatorSecret, 12, "STT/1 iv"u8.ToArray());
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ firstSequence);
        var decrypted = new byte[length];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(nonce, frame.AsSpan(24, length), frame.AsSpan(24 + length), decrypted, frame.AsSpan(0, 24));

        Assert.Equal(plaintext, decrypted);
        Assert.Equal(firstSequence, SealedFrames.ParseHeader(frame).Sequence);
    }

    [Fact]
    public void Seal_MessageThresholdAcknowledged_FrameNIsLastOfEpoch()
    {
        var options = NoRotation with { RotateAfterMessages = 5 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        SealedFrames.Seal(sealer, [1]);
        sealer.OnAcknowledged(0);

        FrameFlags[] phases = Enumerable.Range(0, 6).Select(_ => PhaseOf(SealedFrames.Seal(sealer, [1]))).ToArray();

        // Frame 1 was sealed before the loop, so frames 2 – 5 stay in epoch 0 and the sixth starts epoch 1.
        Assert.Equal(
            [FrameFlags.None, FrameFlags.None, FrameFlags.None, FrameFlags.None, FrameFlags.KeyPhase, FrameFlags.KeyPhase],
            phases);
        Assert.Equal(1UL, sealer.Epoch);
        Assert.Equal(5UL, sealer.EpochFirstSequence);
        Assert.Equal(2, sealer.EpochFramesSealed);
    }

    [Fact]
    public void Seal_ByteThresholdReachedExactly_FrameReachingItIsLastOfEpoch()
    {
        var options = NoRotation with { RotateAfterBytes = 1000 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        byte[] plaintext = SealedFrames.Plaintext(250);
        SealedFrames.Seal(sealer, plaintext);
        sealer.OnAcknowledged(0);

        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, plaintext)));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, plaintext)));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, SealedFrames.Plaintext(249))));
        Assert.Equal(999, sealer.EpochBytesSealed);
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, SealedFrames.Plaintext(1))));
        Assert.Equal(1000, sealer.EpochBytesSealed);
        Assert.Equal(0UL, sealer.Epoch);

        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, plaintext)));
        Assert.Equal(1UL, sealer.Epoch);
        Assert.Equal(250, sealer.EpochBytesSealed);
        Assert.Equal(1250, sealer.BytesSealed);
        Assert.Equal(5UL, sealer.EpochFirstSequence);
    }

    [Fact]
    public void Seal_ByteThresholdCrossedByOneFrame_ThatFrameIsLastOfEpoch()
    {
        var options = NoRotation with { RotateAfterBytes = 1000 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        SealedFrames.Seal(sealer, SealedFrames.Plaintext(999));
        sealer.OnAcknowledged(0);

        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, SealedFrames.Plaintext(300))));
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, SealedFrames.Plaintext(1))));
    }

    [Fact]
    public void Seal_RotateAfterElapsedExactly_NextFrameStartsNewEpoch()
    {
        var options = NoRotation with { RotateAfter = TimeSpan.FromMinutes(5) };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        SealedFrames.Seal(sealer, [1]);
        sealer.OnAcknowledged(0);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.False(sealer.IsRotationPending);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(1UL, sealer.Epoch);

        // The clock restarts with the epoch.
        sealer.OnAcknowledged(2);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(2UL, sealer.Epoch);
    }

    [Fact]
    public void Seal_TimerFiresBeforeRotateAfter_RotatesOnlyOnceRotateAfterElapsed()
    {
        var time = new EarlyFiringTimeProvider();
        var options = NoRotation with { RotateAfter = TimeSpan.FromMinutes(5) };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, time);
        SealedFrames.Seal(sealer, [1]);
        sealer.OnAcknowledged(0);

        time.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        time.Clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));

        Assert.Equal(1UL, sealer.Epoch);
        Assert.True(time.TimerCallbacks >= 4);
    }

    [Fact]
    public void Seal_ThresholdReachedWithoutAcknowledgement_StaysInEpochUntilAcknowledged()
    {
        var options = NoRotation with { RotateAfterMessages = 3 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        for (int i = 0; i < 3; i++)
        {
            SealedFrames.Seal(sealer, [1]);
        }

        Assert.True(sealer.IsRotationPending);
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(0UL, sealer.Epoch);

        sealer.OnAcknowledged(4);
        Assert.False(sealer.IsRotationPending);
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(1UL, sealer.Epoch);
    }

    [Fact]
    public void Seal_TimeUpWithoutAcknowledgement_StaysInEpochUntilAcknowledged()
    {
        var options = NoRotation with { RotateAfter = TimeSpan.FromSeconds(30) };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        SealedFrames.Seal(sealer, [1]);

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.True(sealer.IsRotationPending);

        sealer.OnAcknowledged(1);
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));
    }

    [Fact]
    public void Seal_OnlyFramesOfEarlierEpochAcknowledged_DoesNotRotateAgain()
    {
        var options = NoRotation with { RotateAfterMessages = 2 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        SealedFrames.Seal(sealer, [1]);
        SealedFrames.Seal(sealer, [1]);
        sealer.OnAcknowledged(1);
        SealedFrames.Seal(sealer, [1]);
        SealedFrames.Seal(sealer, [1]);
        Assert.Equal(1UL, sealer.Epoch);

        sealer.OnAcknowledged(0);
        sealer.OnAcknowledged(1);
        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(1UL, sealer.Epoch);

        sealer.OnAcknowledged(2);
        Assert.Equal(FrameFlags.None, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(2UL, sealer.Epoch);
    }

    [Fact]
    public void OnAcknowledged_SequenceNeverSent_ThrowsProtocolViolation()
    {
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time);
        SealedFrames.Seal(sealer, [1]);

        var ex = Assert.Throws<ProtocolViolationException>(() => sealer.OnAcknowledged(1));

        Assert.Equal(ProtocolErrorCode.ProtocolViolation, ex.ErrorCode);
    }

    [Fact]
    public void Seal_SequenceReaches2To62_ThrowsAeadLimitReached()
    {
        using var sealer = new FrameSealer(
            SealedFrames.InitiatorSecret, SealedFrames.SessionId, FrameProtectionOptions.Default, _time, (1UL << 62) - 2);
        SealedFrames.Seal(sealer, [1], out ulong first);
        SealedFrames.Seal(sealer, [1], out ulong last);
        var buffer = new byte[100];

        var ex = Assert.Throws<ProtocolViolationException>(() => sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, 1, out _));
        Assert.Throws<ProtocolViolationException>(() => sealer.Seal(buffer, FrameType.Control, FrameFlags.None, 0, 1, out _));

        Assert.Equal((1UL << 62) - 2, first);
        Assert.Equal((1UL << 62) - 1, last);
        Assert.Equal(ProtocolErrorCode.AeadLimitReached, ex.ErrorCode);
        Assert.Equal(FrameSealer.SequenceLimit, sealer.NextSequence);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Seal_FourTimesMessageThresholdWithoutAcknowledgement_ThrowsAeadLimitReached()
    {
        var options = NoRotation with { RotateAfterMessages = 3 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        for (int i = 0; i < 12; i++)
        {
            SealedFrames.Seal(sealer, [1]);
        }

        var ex = Assert.Throws<ProtocolViolationException>(() => SealedFrames.Seal(sealer, [1]));
        Assert.Throws<ProtocolViolationException>(() => SealedFrames.Seal(sealer, [1]));

        Assert.Equal(ProtocolErrorCode.AeadLimitReached, ex.ErrorCode);
        Assert.Equal(12UL, sealer.NextSequence);
        Assert.Equal(0UL, sealer.Epoch);
    }

    [Fact]
    public void Seal_FourTimesByteThresholdWithoutAcknowledgement_ThrowsAeadLimitReached()
    {
        var options = NoRotation with { RotateAfterBytes = 100 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        byte[] plaintext = SealedFrames.Plaintext(100);
        for (int i = 0; i < 4; i++)
        {
            SealedFrames.Seal(sealer, plaintext);
        }

        var ex = Assert.Throws<ProtocolViolationException>(() => SealedFrames.Seal(sealer, [1]));

        Assert.Equal(ProtocolErrorCode.AeadLimitReached, ex.ErrorCode);
        Assert.Equal(400, sealer.EpochBytesSealed);
    }

    [Fact]
    public void Seal_AcknowledgedJustBeforeHardLimit_RotatesInsteadOfThrowing()
    {
        var options = NoRotation with { RotateAfterMessages = 3 };
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        for (int i = 0; i < 12; i++)
        {
            SealedFrames.Seal(sealer, [1]);
        }

        sealer.OnAcknowledged(11);

        Assert.Equal(FrameFlags.KeyPhase, PhaseOf(SealedFrames.Seal(sealer, [1])));
        Assert.Equal(12UL, sealer.EpochFirstSequence);
    }

    [Fact]
    public void Dispose_AfterRotations_ZeroesKeysAndRejectsSeal()
    {
        var options = NoRotation with { RotateAfterMessages = 1 };
        var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, options, _time);
        for (int i = 0; i < 3; i++)
        {
            SealedFrames.Seal(sealer, [1], out ulong sequence);
            sealer.OnAcknowledged(sequence);
        }

        Assert.False(sealer.IsKeyMaterialZeroed);
        sealer.Dispose();
        sealer.Dispose();

        Assert.True(sealer.IsKeyMaterialZeroed);
        Assert.Throws<ObjectDisposedException>(() => SealedFrames.Seal(sealer, [1]));
    }

    [Fact]
    public void Seal_SteadyState_AllocatesNothing()
    {
        using var sealer = new FrameSealer(SealedFrames.InitiatorSecret, SealedFrames.SessionId, NoRotation, _time);
        var buffer = new byte[1300];
        sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, 1200, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sealer.Seal(buffer, FrameType.Data, FrameFlags.None, 1, 1200, out ulong sequence);
            sealer.OnAcknowledged(sequence);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static FrameFlags PhaseOf(byte[] frame) => (FrameFlags)frame[1] & FrameFlags.KeyPhase;
}

using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Stt.Protocol.Encoding;
using Stt.Protocol.Protection.Internal;

namespace Stt.Protocol.Protection;

/// <summary>
/// Seals the encrypted frames (DATA, CONTROL, STREAM_CONTROL) of one session direction: assigns sequence numbers,
/// writes the header, encrypts in place with AES-256-GCM and rotates keys (docs/protocol.md, sections 3, 7 and 8).
/// </summary>
/// <remarks>
/// <para>
/// Sans-I/O and allocation-free per frame. <see cref="Seal"/> and <see cref="Dispose"/> must be called from one
/// thread at a time (the session's send loop); <see cref="OnAcknowledged"/>, also from one thread at a time, may run
/// concurrently with them (the receive loop). The counters are plain reads for metrics and may lag by a frame on another thread.
/// </para>
/// <para>
/// Key rotation: once the current epoch has sealed <see cref="FrameProtectionOptions.RotateAfterBytes"/> plaintext
/// bytes or <see cref="FrameProtectionOptions.RotateAfterMessages"/> frames, or
/// <see cref="FrameProtectionOptions.RotateAfter"/> has passed since it began, the next frame starts a new epoch,
/// provided <see cref="OnAcknowledged"/> has reported a frame sealed in the current epoch. Until then the sealer stays
/// in its epoch (<see cref="IsRotationPending"/> tells the session to elicit an acknowledgement).
/// </para>
/// <para>
/// Hard limits are exceptions, because the session cannot go on: <see cref="Seal"/> throws
/// <see cref="ProtocolViolationException"/> with <see cref="ProtocolErrorCode.AeadLimitReached"/> rather than use
/// sequence number 2^62, or seal in an epoch that could not rotate and has already sealed four times
/// <see cref="FrameProtectionOptions.RotateAfterMessages"/> frames or at least four times
/// <see cref="FrameProtectionOptions.RotateAfterBytes"/> bytes. The sealer's state is unchanged by the throw and every
/// later call throws the same way, so no further frame (not even CLOSE) goes out under the exhausted key; the session
/// ends locally with that code (docs/protocol.md, section 8, "Hard limits").
/// </para>
/// </remarks>
public sealed class FrameSealer : IDisposable
{
    /// <summary>Size of the AES-GCM tag that follows the ciphertext.</summary>
    public const int TagSize = FrameHeader.TagSize;

    /// <summary>Largest plaintext of one frame: the 2 MiB body cap minus the tag.</summary>
    public const int MaxPlaintextLength = FrameHeader.MaxBodyLength - TagSize;

    /// <summary>The first sequence number a sender must never use: 2^62.</summary>
    public const ulong SequenceLimit = 1UL << 62;

    private readonly ulong _sessionId;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _rotateAfter;
    private readonly long _rotateAfterBytes;
    private readonly long _rotateAfterMessages;
    private readonly long _hardLimitBytes;
    private readonly long _hardLimitMessages;
    private readonly byte[] _secret;
    private readonly ITimer _rotationTimer;
    private EpochKey _current;

    // Created at the first rotation: most sessions never rotate, and each key is about 600 bytes.
    private EpochKey? _spare;

    private ulong _epoch;
    private FrameFlags _keyPhase;

    // Written only by Seal; read by OnAcknowledged on the receive loop, hence the volatile accesses.
    private ulong _nextSequence;
    private ulong _epochFirstSequence;

    // Largest acknowledged sequence plus one (0: none yet). Only grows; written only by OnAcknowledged.
    private ulong _acknowledgedBelow;

    private long _epochBytes;
    private long _epochFrames;
    private long _bytesSealed;
    private long _framesSealed;
    private long _epochStartTimestamp;

    // Set by the rotation timer; the send path confirms it against the clock (a stale callback may set it).
    private int _rotationTimerFired;
    private bool _epochTimeUp;
    private bool _disposed;

    /// <summary>Creates the sealer for one direction of a session.</summary>
    /// <param name="initialSecret">
    /// The direction's epoch-0 secret from the handshake (<c>secret[i2r,0]</c> or <c>secret[r2i,0]</c>), 32 bytes.
    /// The sealer keeps its own copy; the caller should zero its buffer.
    /// </param>
    /// <param name="sessionId">The session ID written into every header.</param>
    /// <param name="options">Rotation thresholds; <see cref="FrameProtectionOptions.Default"/> for the spec's defaults.</param>
    /// <param name="timeProvider">Clock for <see cref="FrameProtectionOptions.RotateAfter"/>.</param>
    /// <exception cref="ArgumentException">The secret is not 32 bytes.</exception>
    /// <exception cref="PlatformNotSupportedException">libsodium is missing or the CPU has no AES instructions.</exception>
    public FrameSealer(ReadOnlySpan<byte> initialSecret, ulong sessionId, FrameProtectionOptions options, TimeProvider timeProvider)
        : this(initialSecret, sessionId, options, timeProvider, firstSequence: 0)
    {
    }

    /// <summary>Creates a sealer whose first frame gets <paramref name="firstSequence"/>; tests reach 2^62 with it.</summary>
    internal FrameSealer(
        ReadOnlySpan<byte> initialSecret,
        ulong sessionId,
        FrameProtectionOptions options,
        TimeProvider timeProvider,
        ulong firstSequence)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        KeySchedule.ValidateSecretLength(initialSecret.Length, nameof(initialSecret));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSequence, SequenceLimit);

        _sessionId = sessionId;
        _timeProvider = timeProvider;
        _rotateAfter = options.RotateAfter;
        _rotateAfterBytes = options.RotateAfterBytes;
        _rotateAfterMessages = options.RotateAfterMessages;
        _hardLimitBytes = 4 * options.RotateAfterBytes;
        _hardLimitMessages = 4 * options.RotateAfterMessages;
        _nextSequence = firstSequence;
        _epochFirstSequence = firstSequence;
        _acknowledgedBelow = firstSequence;

        _secret = initialSecret.ToArray();
        _current = new EpochKey();
        _current.Load(_secret);
        _epochStartTimestamp = timeProvider.GetTimestamp();
        _rotationTimer = CreateRotationTimer();
    }

    /// <summary>The current key epoch, from 0. Its parity is the KEY_PHASE flag of the frames sealed now.</summary>
    public ulong Epoch => _epoch;

    /// <summary>The sequence number the next sealed frame gets.</summary>
    public ulong NextSequence => Volatile.Read(ref _nextSequence);

    /// <summary>The sequence number of the first frame of the current epoch (or of the next frame, if none yet).</summary>
    internal ulong EpochFirstSequence => _epochFirstSequence;

    /// <summary>Frames sealed in the session.</summary>
    public long FramesSealed => _framesSealed;

    /// <summary>Plaintext bytes sealed in the session.</summary>
    public long BytesSealed => _bytesSealed;

    /// <summary>Frames sealed in the current epoch.</summary>
    public long EpochFramesSealed => _epochFrames;

    /// <summary>Plaintext bytes sealed in the current epoch.</summary>
    public long EpochBytesSealed => _epochBytes;

    /// <summary>
    /// Whether the current epoch has reached a rotation threshold but no frame of it has been acknowledged yet,
    /// so the sealer cannot rotate. The session should send something ack-eliciting (PING).
    /// </summary>
    public bool IsRotationPending =>
        (_epochFrames >= _rotateAfterMessages || _epochBytes >= _rotateAfterBytes || _epochTimeUp ||
         Volatile.Read(ref _rotationTimerFired) != 0) &&
        Volatile.Read(ref _acknowledgedBelow) <= _epochFirstSequence;

    /// <summary>Size of the header of a frame on <paramref name="streamId"/>: 22 plus the stream ID varint.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The stream ID is outside 0 – 65,535.</exception>
    public static int GetHeaderSize(int streamId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(streamId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(streamId, FrameHeader.MaxStreamId);
        return FrameHeader.FixedSize + Varint.GetEncodedLength((ulong)streamId);
    }

    /// <summary>Size of a sealed frame: header, <paramref name="plaintextLength"/> bytes and the tag.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static int GetFrameLength(int streamId, int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextLength, MaxPlaintextLength);
        return GetHeaderSize(streamId) + plaintextLength + TagSize;
    }

    /// <summary>Seals one frame in place.</summary>
    /// <param name="buffer">
    /// Laid out by the caller as <see cref="GetHeaderSize"/>(<paramref name="streamId"/>) bytes of header space, then
    /// <paramref name="plaintextLength"/> bytes of plaintext, then at least <see cref="TagSize"/> free bytes. On return
    /// it starts with the sealed frame: header, ciphertext, tag.
    /// </param>
    /// <param name="type"><see cref="FrameType.Data"/>, <see cref="FrameType.Control"/> or <see cref="FrameType.StreamControl"/>.</param>
    /// <param name="flags">
    /// <see cref="FrameFlags.Fin"/> or <see cref="FrameFlags.None"/> for DATA, <see cref="FrameFlags.None"/> otherwise.
    /// The sealer sets <see cref="FrameFlags.KeyPhase"/>.
    /// </param>
    /// <param name="streamId">1 – 65,535 for DATA and STREAM_CONTROL; 0 for CONTROL.</param>
    /// <param name="plaintextLength">Plaintext bytes, 0 to <see cref="MaxPlaintextLength"/>.</param>
    /// <param name="sequence">The sequence number the frame got.</param>
    /// <returns>Length of the sealed frame.</returns>
    /// <exception cref="ArgumentException">The type, flags, stream ID, length or buffer break the rules above.</exception>
    /// <exception cref="ProtocolViolationException">
    /// <see cref="ProtocolErrorCode.AeadLimitReached"/>: the sequence space or the epoch's hard limit is exhausted.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The sealer is disposed.</exception>
    public int Seal(Span<byte> buffer, FrameType type, FrameFlags flags, int streamId, int plaintextLength, out ulong sequence)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ValidateFrame(type, flags, streamId);
        if ((uint)plaintextLength > MaxPlaintextLength)
        {
            ThrowPlaintextLengthOutOfRange(plaintextLength);
        }

        int headerSize = FrameHeader.FixedSize + Varint.GetEncodedLength((ulong)streamId);
        int frameLength = headerSize + plaintextLength + TagSize;
        if (buffer.Length < frameLength)
        {
            ThrowBufferTooSmall(buffer.Length, frameLength, nameof(buffer));
        }

        ulong next = _nextSequence;
        if (next >= SequenceLimit)
        {
            ThrowSequenceSpaceExhausted();
        }

        if (_epochFrames >= _rotateAfterMessages || _epochBytes >= _rotateAfterBytes ||
            Volatile.Read(ref _rotationTimerFired) != 0)
        {
            RotateOrEnforceLimits();
        }

        FrameWriter.WriteHeader(
            buffer,
            new FrameHeader(type, flags | _keyPhase, _sessionId, next, plaintextLength + TagSize, streamId));
        _current.Seal(buffer[..frameLength], headerSize, plaintextLength, next);

        Volatile.Write(ref _nextSequence, next + 1);
        _epochFrames++;
        _epochBytes += plaintextLength;
        _framesSealed++;
        _bytesSealed += plaintextLength;
        sequence = next;
        return frameLength;
    }

    /// <summary>Reports that the peer acknowledged the frame with <paramref name="sequence"/>.</summary>
    /// <remarks>
    /// Only the largest reported sequence matters, so reporting the ACK's largest acknowledged sequence is enough.
    /// Call it from one thread at a time (the session's receive loop); it is safe to run concurrently with
    /// <see cref="Seal"/>.
    /// </remarks>
    /// <exception cref="ProtocolViolationException">
    /// <see cref="ProtocolErrorCode.ProtocolViolation"/>: no frame with that sequence was sealed (section 9).
    /// </exception>
    public void OnAcknowledged(ulong sequence)
    {
        if (sequence >= Volatile.Read(ref _nextSequence))
        {
            ThrowAcknowledgedUnsentFrame(sequence);
        }

        // Single writer (the receive loop), so a volatile store of the new maximum is enough; Seal only reads it.
        ulong candidate = sequence + 1;
        if (candidate > _acknowledgedBelow)
        {
            Volatile.Write(ref _acknowledgedBelow, candidate);
        }
    }

    /// <summary>Stops the rotation timer and zeroes every key and secret.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _rotationTimer.Dispose();
        _current.Dispose();
        _spare?.Dispose();
        CryptographicOperations.ZeroMemory(_secret);
    }

    /// <summary>Whether all key material is zero; for tests of <see cref="Dispose"/>.</summary>
    internal bool IsKeyMaterialZeroed => _current.IsZeroed && (_spare?.IsZeroed ?? true) && !_secret.AsSpan().ContainsAnyExcept((byte)0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RotateOrEnforceLimits()
    {
        if (!(_epochFrames >= _rotateAfterMessages || _epochBytes >= _rotateAfterBytes || IsEpochTimeUp()))
        {
            return;
        }

        // Section 8: rotate only once the peer has acknowledged a frame of this epoch, which proves it holds the
        // epoch's key and so will recognise the next one as "current + 1".
        if (Volatile.Read(ref _acknowledgedBelow) > _epochFirstSequence)
        {
            Rotate();
            return;
        }

        if (_epochFrames >= _hardLimitMessages || _epochBytes >= _hardLimitBytes)
        {
            ThrowEpochLimitReached();
        }
    }

    private bool IsEpochTimeUp()
    {
        if (_epochTimeUp)
        {
            return true;
        }

        if (Volatile.Read(ref _rotationTimerFired) == 0)
        {
            return false;
        }

        TimeSpan elapsed = _timeProvider.GetElapsedTime(_epochStartTimestamp);
        if (elapsed >= _rotateAfter)
        {
            _epochTimeUp = true;
            return true;
        }

        // A callback armed for an earlier epoch ran late, or the timer fired early: wait for the rest.
        Volatile.Write(ref _rotationTimerFired, 0);
        _rotationTimer.Change(_rotateAfter - elapsed, Timeout.InfiniteTimeSpan);
        return false;
    }

    private void Rotate()
    {
        KeySchedule.AdvanceSecret(_secret);
        _spare ??= new EpochKey();
        _spare.Load(_secret);
        (_current, _spare) = (_spare, _current);
        _spare.Clear();

        _epoch++;
        _keyPhase ^= FrameFlags.KeyPhase;
        _epochFirstSequence = _nextSequence;
        _epochFrames = 0;
        _epochBytes = 0;
        _epochTimeUp = false;
        Volatile.Write(ref _rotationTimerFired, 0);
        _epochStartTimestamp = _timeProvider.GetTimestamp();
        _rotationTimer.Change(_rotateAfter, Timeout.InfiniteTimeSpan);
    }

    private ITimer CreateRotationTimer()
    {
        // The timer outlives the caller's async flow; don't capture its ExecutionContext (AsyncLocals, activities).
        bool restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            return _timeProvider.CreateTimer(
                static state => Volatile.Write(ref ((FrameSealer)state!)._rotationTimerFired, 1),
                this,
                _rotateAfter,
                Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    private static void ValidateFrame(FrameType type, FrameFlags flags, int streamId)
    {
        switch (type)
        {
            case FrameType.Data:
                if ((flags & ~FrameFlags.Fin) != 0)
                {
                    ThrowInvalidFlags(type, flags);
                }

                if ((uint)(streamId - 1) >= FrameHeader.MaxStreamId)
                {
                    ThrowInvalidStreamId(type, streamId);
                }

                break;
            case FrameType.StreamControl:
                if (flags != FrameFlags.None)
                {
                    ThrowInvalidFlags(type, flags);
                }

                if ((uint)(streamId - 1) >= FrameHeader.MaxStreamId)
                {
                    ThrowInvalidStreamId(type, streamId);
                }

                break;
            case FrameType.Control:
                if (flags != FrameFlags.None)
                {
                    ThrowInvalidFlags(type, flags);
                }

                if (streamId != 0)
                {
                    ThrowInvalidStreamId(type, streamId);
                }

                break;
            default:
                ThrowNotEncryptedType(type);
                break;
        }
    }

    [DoesNotReturn]
    private static void ThrowNotEncryptedType(FrameType type) =>
        throw new ArgumentException($"Only DATA, CONTROL and STREAM_CONTROL frames are sealed, not {type}.", nameof(type));

    [DoesNotReturn]
    private static void ThrowInvalidFlags(FrameType type, FrameFlags flags) =>
        throw new ArgumentException(
            $"Flags {flags} are not allowed on {type} frames: DATA takes FIN, the others none, and the sealer sets KEY_PHASE.",
            nameof(flags));

    [DoesNotReturn]
    private static void ThrowInvalidStreamId(FrameType type, int streamId) =>
        throw new ArgumentOutOfRangeException(
            nameof(streamId),
            streamId,
            $"{type} frames carry stream 0 (CONTROL) or 1 – 65,535 (DATA, STREAM_CONTROL).");

    [DoesNotReturn]
    private static void ThrowPlaintextLengthOutOfRange(int plaintextLength) =>
        throw new ArgumentOutOfRangeException(
            nameof(plaintextLength),
            plaintextLength,
            $"The plaintext of a frame is 0 to {MaxPlaintextLength} bytes.");

    [DoesNotReturn]
    private static void ThrowBufferTooSmall(int length, int needed, string paramName) =>
        throw new ArgumentException(
            $"The buffer holds {length} bytes; the frame needs {needed} (header, plaintext and a {TagSize}-byte tag).",
            paramName);

    [DoesNotReturn]
    private static void ThrowSequenceSpaceExhausted() =>
        throw new ProtocolViolationException(
            ProtocolErrorCode.AeadLimitReached,
            "The session has used every sequence number below 2^62; it must close.");

    [DoesNotReturn]
    private void ThrowEpochLimitReached() =>
        throw new ProtocolViolationException(
            ProtocolErrorCode.AeadLimitReached,
            $"Key epoch {_epoch} sealed {_epochFrames} frames and {_epochBytes} bytes, four times a rotation threshold, " +
            "and the peer acknowledged none of its frames, so the key cannot be rotated; the session must close.");

    [DoesNotReturn]
    private static void ThrowAcknowledgedUnsentFrame(ulong sequence) =>
        throw new ProtocolViolationException(
            ProtocolErrorCode.ProtocolViolation,
            $"The peer acknowledged sequence {sequence}, which was never sent.");
}

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Stt.Protocol.Encoding;
using Stt.Protocol.Protection.Internal;

namespace Stt.Protocol.Protection;

/// <summary>
/// Opens the encrypted frames (DATA, CONTROL, STREAM_CONTROL) of one session direction: replay window, key-phase
/// selection and in-place AES-256-GCM decryption (docs/protocol.md, sections 7 and 8).
/// </summary>
/// <remarks>
/// <para>
/// Sans-I/O, allocation-free per frame, and not thread-safe: one receive loop owns it. The frame's header must already
/// have passed the frame scanner's structural checks (section 3); the opener authenticates it.
/// </para>
/// <para>
/// Key phases (section 8): with current epoch <c>n</c> and <c>s</c> the sequence of the first frame opened in it, a
/// frame whose KEY_PHASE is <c>n mod 2</c> opens with epoch <c>n</c>; a frame with the other phase and a sequence below
/// <c>s</c> is late from epoch <c>n - 1</c> and opens with that key while
/// <see cref="FrameProtectionOptions.KeyGracePeriod"/> has not passed since the switch (else
/// <see cref="OpenStatus.KeyExpired"/>); any other frame is tried with the precomputed epoch <c>n + 1</c>, and success
/// switches to it.
/// </para>
/// <para>
/// Only an authenticated frame changes state (replay window, epoch). A frame that fails adds one to
/// <see cref="FailedDecryptions"/> and nothing else; frames dropped before decryption (replay, too old, key expired,
/// wrong session) change nothing.
/// </para>
/// </remarks>
public sealed class FrameOpener : IDisposable
{
    private const int TagSize = FrameHeader.TagSize;

    private readonly ulong _sessionId;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _keyGracePeriod;
    private readonly long _maxFailedDecryptions;
    private readonly ReplayWindow _window = new();

    // secret[d, n+1]: the only secret kept; epoch n+2's key is derived from it at the switch.
    private readonly byte[] _nextSecret;
    private EpochKey _current;

    // Created on first use, since most sessions never rotate and each key is about 600 bytes: the next epoch's key
    // when a frame of the other key phase first arrives, the previous one at the first switch.
    private EpochKey? _previous;
    private EpochKey? _next;

    private ulong _epoch;
    private FrameFlags _currentPhase;
    private ulong _epochFirstSequence;
    private long _switchTimestamp;
    private long _failedDecryptions;
    private long _framesOpened;
    private long _bytesOpened;
    private bool _disposed;

    /// <summary>Creates the opener for one direction of a session.</summary>
    /// <param name="initialSecret">
    /// The direction's epoch-0 secret from the handshake (the peer's sending direction), 32 bytes. The opener keeps
    /// its own copy; the caller should zero its buffer.
    /// </param>
    /// <param name="sessionId">The session ID every opened frame must carry.</param>
    /// <param name="options">Grace period and failure budget; <see cref="FrameProtectionOptions.Default"/> for the spec's defaults.</param>
    /// <param name="timeProvider">Clock for <see cref="FrameProtectionOptions.KeyGracePeriod"/>.</param>
    /// <exception cref="ArgumentException">The secret is not 32 bytes.</exception>
    /// <exception cref="PlatformNotSupportedException">libsodium is missing or the CPU has no AES instructions.</exception>
    public FrameOpener(ReadOnlySpan<byte> initialSecret, ulong sessionId, FrameProtectionOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        KeySchedule.ValidateSecretLength(initialSecret.Length, nameof(initialSecret));

        _sessionId = sessionId;
        _timeProvider = timeProvider;
        _keyGracePeriod = options.KeyGracePeriod;
        _maxFailedDecryptions = options.MaxFailedDecryptions;

        _nextSecret = initialSecret.ToArray();
        _current = new EpochKey();
        _current.Load(_nextSecret);
        KeySchedule.AdvanceSecret(_nextSecret);
    }

    /// <summary>The receiver's current key epoch, from 0.</summary>
    public ulong Epoch => _epoch;

    /// <summary>Frames opened successfully.</summary>
    public long FramesOpened => _framesOpened;

    /// <summary>Plaintext bytes of the frames opened successfully.</summary>
    public long BytesOpened => _bytesOpened;

    /// <summary>Frames that failed authentication, counted against <see cref="FrameProtectionOptions.MaxFailedDecryptions"/>.</summary>
    public long FailedDecryptions => _failedDecryptions;

    /// <summary>Authenticates and decrypts one frame in place.</summary>
    /// <param name="frame">Exactly the frame: header then body (<paramref name="header"/>'s size plus its body length).</param>
    /// <param name="header">The header parsed from <paramref name="frame"/> by the frame scanner.</param>
    /// <param name="plaintextOffset">On <see cref="OpenStatus.Ok"/>, where the plaintext starts in <paramref name="frame"/>; else 0.</param>
    /// <param name="plaintextLength">On <see cref="OpenStatus.Ok"/>, the plaintext length; else 0.</param>
    /// <returns>
    /// <see cref="OpenStatus.Ok"/>, or why the frame was dropped. After <see cref="OpenStatus.AuthFailed"/> or
    /// <see cref="OpenStatus.AeadLimitReached"/> the body bytes are unspecified (libsodium wipes them); after the other
    /// statuses the frame is untouched.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The header is not of an encrypted type, or does not describe <paramref name="frame"/>'s length.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The opener is disposed.</exception>
    public OpenStatus TryOpen(Span<byte> frame, in FrameHeader header, out int plaintextOffset, out int plaintextLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plaintextOffset = 0;
        plaintextLength = 0;
        if (header.Type is not (FrameType.Data or FrameType.Control or FrameType.StreamControl))
        {
            ThrowNotEncryptedType(header.Type, nameof(header));
        }

        int headerSize = header.Size;
        if ((uint)header.BodyLength > FrameHeader.MaxBodyLength || frame.Length != headerSize + header.BodyLength)
        {
            ThrowFrameLengthMismatch(frame.Length, headerSize, header.BodyLength, nameof(frame));
        }

        if (_failedDecryptions >= _maxFailedDecryptions)
        {
            return OpenStatus.AeadLimitReached;
        }

        if (header.SessionId != _sessionId)
        {
            return OpenStatus.WrongSession;
        }

        int ciphertextLength = header.BodyLength - TagSize;
        if (ciphertextLength < 0)
        {
            return RecordFailure();
        }

        ulong sequence = header.Sequence;
        ReplayStatus replay = _window.Check(sequence);
        if (replay != ReplayStatus.New)
        {
            return replay == ReplayStatus.Duplicate ? OpenStatus.Replay : OpenStatus.TooOld;
        }

        EpochKey key;
        if ((header.Flags & FrameFlags.KeyPhase) == _currentPhase)
        {
            key = _current;
        }
        else if (sequence < _epochFirstSequence)
        {
            // Every frame of epoch n + 1 follows every frame of epoch n in sequence order, and s was sealed in epoch
            // n, so the other phase below s can only be epoch n - 1: no need to try n + 1 and burn the failure budget.
            if (!IsPreviousKeyUsable())
            {
                return OpenStatus.KeyExpired;
            }

            key = _previous;
        }
        else
        {
            key = _next ?? LoadNextKey();
        }

        if (!key.TryOpen(frame, headerSize, ciphertextLength, sequence))
        {
            return RecordFailure();
        }

        _window.Mark(sequence);
        if (ReferenceEquals(key, _next))
        {
            SwitchToNextEpoch(sequence);
        }

        _framesOpened++;
        _bytesOpened += ciphertextLength;
        plaintextOffset = headerSize;
        plaintextLength = ciphertextLength;
        return OpenStatus.Ok;
    }

    /// <summary>Zeroes every key and secret.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _current.Dispose();
        _previous?.Dispose();
        _next?.Dispose();
        CryptographicOperations.ZeroMemory(_nextSecret);
    }

    /// <summary>Whether all key material is zero; for tests of <see cref="Dispose"/>.</summary>
    internal bool IsKeyMaterialZeroed =>
        _current.IsZeroed && (_previous?.IsZeroed ?? true) && (_next?.IsZeroed ?? true) && !_nextSecret.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>Whether the previous epoch's key is still held; for tests of the grace period.</summary>
    internal bool HoldsPreviousKey => _previous?.IsLoaded == true;

    private OpenStatus RecordFailure()
    {
        _failedDecryptions++;
        return _failedDecryptions >= _maxFailedDecryptions ? OpenStatus.AeadLimitReached : OpenStatus.AuthFailed;
    }

    [MemberNotNullWhen(true, nameof(_previous))]
    private bool IsPreviousKeyUsable()
    {
        if (_previous is null || !_previous.IsLoaded)
        {
            return false;
        }

        if (_timeProvider.GetElapsedTime(_switchTimestamp) < _keyGracePeriod)
        {
            return true;
        }

        // The grace period only ends, so the key can never open anything again.
        _previous.Clear();
        return false;
    }

    private EpochKey LoadNextKey()
    {
        _next = new EpochKey();
        _next.Load(_nextSecret);
        return _next;
    }

    private void SwitchToNextEpoch(ulong firstSequence)
    {
        // Called only after _next opened a frame. The old previous key, once there is one, becomes the new next key.
        (_previous, _current, _next) = (_current, _next!, _previous);
        KeySchedule.AdvanceSecret(_nextSecret);
        if (_next is null)
        {
            LoadNextKey();
        }
        else
        {
            _next.Clear();
            _next.Load(_nextSecret);
        }

        if (_keyGracePeriod == TimeSpan.Zero)
        {
            _previous.Clear();
        }

        _epoch++;
        _currentPhase ^= FrameFlags.KeyPhase;
        _epochFirstSequence = firstSequence;
        _switchTimestamp = _timeProvider.GetTimestamp();
    }

    [DoesNotReturn]
    private static void ThrowNotEncryptedType(FrameType type, string paramName) =>
        throw new ArgumentException($"Only DATA, CONTROL and STREAM_CONTROL frames are opened, not {type}.", paramName);

    [DoesNotReturn]
    private static void ThrowFrameLengthMismatch(int frameLength, int headerSize, int bodyLength, string paramName) =>
        throw new ArgumentException(
            $"The frame holds {frameLength} bytes but its header describes {headerSize} + {bodyLength}.",
            paramName);
}

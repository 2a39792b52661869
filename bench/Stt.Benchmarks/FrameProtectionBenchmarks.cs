using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using Stt.Protocol.Encoding;
using Stt.Protocol.Interop;
using Stt.Protocol.Protection;
using Stt.Protocol.Protection.Internal;

namespace Stt.Benchmarks;

/// <summary>
/// One frame sealed and opened in place by FrameSealer/FrameOpener, against the same AES-256-GCM encrypt + decrypt of
/// the same bytes (header as associated data, plaintext in place, tag after it) on each candidate backend:
/// libsodium's precomputed-state API called directly (the baseline), NSec's Aes256Gcm, and .NET's AesGcm.
/// </summary>
[MemoryDiagnoser]
public class FrameProtectionBenchmarks
{
    private const ulong SessionId = 0x0123_4567_89AB_CDEF;
    private const int StreamId = 1;

    private static readonly byte[] Secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private readonly byte[] _nonce = new byte[12];
    private byte[] _frame = [];
    private int _headerSize;
    private FrameSealer? _sealer;
    private FrameOpener? _opener;
    private byte[] _rawState = [];
    private nint _rawStateAddress;
    private nint _rawNonceAddress;
    private int _rawNonceOffset;
    private ulong _rawSequence;
    private Key? _nsecKey;
    private AesGcm? _aesGcm;

    [Params(64, 1200, 16384, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _headerSize = FrameSealer.GetHeaderSize(StreamId);
        _frame = new byte[FrameSealer.GetFrameLength(StreamId, Size)];
        new Random(1).NextBytes(_frame.AsSpan(_headerSize, Size));
        FrameWriter.WriteHeader(_frame, new FrameHeader(FrameType.Data, FrameFlags.None, SessionId, 0, Size + 16, StreamId));

        _sealer = new FrameSealer(Secret, SessionId, FrameProtectionOptions.Default, TimeProvider.System);
        _opener = new FrameOpener(Secret, SessionId, FrameProtectionOptions.Default, TimeProvider.System);

        var key = new byte[32];
        KeySchedule.DeriveKey(Secret, key);
        KeySchedule.DeriveIv(Secret, _nonce);

        EpochKey.EnsureSupported();
        int stateSize = (int)Sodium.crypto_aead_aes256gcm_statebytes();
        // Pinned state (16-byte aligned) followed by the nonce, as EpochKey lays them out: the fastest raw calls.
        _rawState = GC.AllocateArray<byte>(stateSize + 15 + 12, pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_rawState, 0);
        _rawStateAddress = (address + 15) & ~(nint)15;
        _rawNonceOffset = (int)(_rawStateAddress - address) + stateSize;
        _rawNonceAddress = _rawStateAddress + stateSize;
        _nonce.CopyTo(_rawState.AsSpan(_rawNonceOffset));
        if (Sodium.crypto_aead_aes256gcm_beforenm(_rawStateAddress, ref key[0]) != 0)
        {
            throw new CryptographicException("crypto_aead_aes256gcm_beforenm failed.");
        }

        _nsecKey = Key.Import(AeadAlgorithm.Aes256Gcm, key, KeyBlobFormat.RawSymmetricKey);
        _aesGcm = new AesGcm(key, 16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer?.Dispose();
        _opener?.Dispose();
        _nsecKey?.Dispose();
        _aesGcm?.Dispose();
    }

    [Benchmark(Description = "FrameSealer.Seal + FrameOpener.TryOpen")]
    public int SealOpen()
    {
        FrameSealer sealer = _sealer!;
        int length = sealer.Seal(_frame, FrameType.Data, FrameFlags.None, StreamId, Size, out ulong sequence);
        var header = new FrameHeader(FrameType.Data, (FrameFlags)_frame[1], SessionId, sequence, Size + 16, StreamId);
        OpenStatus status = _opener!.TryOpen(_frame.AsSpan(0, length), header, out _, out int plaintextLength);
        sealer.OnAcknowledged(sequence);
        return status == OpenStatus.Ok ? plaintextLength : -1;
    }

    [Benchmark(Baseline = true, Description = "raw libsodium afternm encrypt + decrypt")]
    public int RawLibsodium()
    {
        BinaryPrimitives.WriteUInt64BigEndian(_rawState.AsSpan(_rawNonceOffset + 4), _rawSequence++);
        Span<byte> frame = _frame;
        ref byte text = ref frame[_headerSize];
        ref byte tag = ref frame[_headerSize + Size];
        int sealResult = Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm(
            ref text, ref tag, 0, ref text, (ulong)Size, ref frame[0], (ulong)_headerSize, 0, _rawNonceAddress, _rawStateAddress);
        return sealResult | Sodium.crypto_aead_aes256gcm_decrypt_detached_afternm(
            ref text, 0, ref text, (ulong)Size, ref tag, ref frame[0], (ulong)_headerSize, _rawNonceAddress, _rawStateAddress);
    }

    [Benchmark(Description = "NSec Aes256Gcm encrypt + decrypt")]
    public bool NSec()
    {
        NextNonce();
        Span<byte> frame = _frame;
        ReadOnlySpan<byte> header = frame[.._headerSize];
        Span<byte> body = frame[_headerSize..];
        AeadAlgorithm.Aes256Gcm.Encrypt(_nsecKey!, _nonce, header, body[..Size], body);
        return AeadAlgorithm.Aes256Gcm.Decrypt(_nsecKey!, _nonce, header, body, body[..Size]);
    }

    [Benchmark(Description = ".NET AesGcm encrypt + decrypt")]
    public int DotNetAesGcm()
    {
        NextNonce();
        Span<byte> frame = _frame;
        ReadOnlySpan<byte> header = frame[.._headerSize];
        Span<byte> text = frame.Slice(_headerSize, Size);
        Span<byte> tag = frame.Slice(_headerSize + Size, 16);
        _aesGcm!.Encrypt(_nonce, text, text, tag, header);
        _aesGcm.Decrypt(_nonce, text, tag, text, header);
        return text.Length;
    }

    private void NextNonce() => BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), _rawSequence++);
}

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Stt.Protocol.Encoding;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Protocol.Identity.Internal;
using Stt.Protocol.Noise;
using NSecApi = NSec.Cryptography;

namespace Stt.Benchmarks;

/// <summary>
/// A full STT handshake, both sides in one thread, against the cryptographic primitives it is made of, called directly
/// in the same counts and sizes. The ratio between the two is the cost of the state machines, framing and copies.
/// </summary>
/// <remarks>
/// Per handshake (counted from protocol.md section 6 and the Noise NNpsk0 token sequence):
/// 2 X25519 key generations, 2 X25519 agreements, 2 Ed25519 signatures, 2 verifications, 4 AES-256-GCM seals
/// (72, 64, 96, 96 bytes) and 4 opens, 38 HMAC-SHA-256 (Noise HKDFs, Split twice, the section 7 schedule twice),
/// 12 SHA-256 (MixHash) and 2 SHA-256 of a public key (node-ID checks), 5 random fills.
/// <see cref="PrimitivesViaNSecKeys"/> does the asymmetric part through NSec's key objects, to show why the handshake
/// calls libsodium directly.
/// </remarks>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private static readonly int[] SealLengths = [72, 64, 96, 96];
    private static readonly int[] MixHashLengths = [14, 32, 32, 88, 14, 32, 32, 88, 32, 80, 32, 80];

    private readonly byte[] _hello = new byte[143];
    private readonly byte[] _response = new byte[135];
    private readonly byte[] _authProof = new byte[135];
    private readonly byte[] _final = new byte[135];
    private readonly byte[] _scratch = new byte[256];
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _signed = new byte[48];
    private readonly byte[] _signature = new byte[64];
    private readonly byte[][] _sealed = new byte[4][];
    private readonly byte[] _ephemeralPrivate = new byte[32];
    private readonly byte[] _ephemeralPublic = new byte[32];
    private readonly byte[] _peerPublic = new byte[32];
    private readonly byte[] _edSecretKey = new byte[64];
    private readonly byte[] _edPublicKey = new byte[32];
    private readonly byte[] _validSignature = new byte[64];

    private NodeIdentity _initiatorIdentity = null!;
    private NodeIdentity _responderIdentity = null!;
    private SharedSeed _seed = null!;
    private HelloReplayCache _cache = null!;
    private HandshakeOptions _options = null!;
    private NSecApi.Key _nsecSigningKey = null!;
    private NSecApi.PublicKey _nsecPeerKey = null!;
    private NSecApi.PublicKey _nsecVerifyKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        _initiatorIdentity = new NodeIdentity(Enumerable.Repeat((byte)1, 32).ToArray());
        _responderIdentity = new NodeIdentity(Enumerable.Repeat((byte)2, 32).ToArray());
        _seed = new SharedSeed(Enumerable.Repeat((byte)3, 32).ToArray());

        // A 1 s window keeps the replay cache small over millions of handshakes on the real clock.
        _options = new HandshakeOptions { FreshnessWindow = TimeSpan.FromSeconds(1) };
        _cache = new HelloReplayCache(_options, TimeProvider.System);

        RandomNumberGenerator.Fill(_key);
        RandomNumberGenerator.Fill(_ephemeralPrivate);
        X25519.DerivePublicKey(Enumerable.Repeat((byte)9, 32).ToArray(), _peerPublic);
        Ed25519.DeriveKeyPair(Enumerable.Repeat((byte)4, 32).ToArray(), _edPublicKey, _edSecretKey);
        Ed25519.Sign(_edSecretKey, _signed, _validSignature);
        for (int i = 0; i < _sealed.Length; i++)
        {
            _sealed[i] = new byte[SealLengths[i] + 16];
            NoiseCipherFunction.AesGcm.Encrypt(_key, 0, _hash, _scratch.AsSpan(0, SealLengths[i]), _sealed[i]);
        }

        _nsecSigningKey = NSecApi.Key.Import(NSecApi.SignatureAlgorithm.Ed25519, Enumerable.Repeat((byte)4, 32).ToArray(), NSecApi.KeyBlobFormat.RawPrivateKey);
        _nsecVerifyKey = _nsecSigningKey.PublicKey;
        _nsecPeerKey = NSecApi.PublicKey.Import(NSecApi.KeyAgreementAlgorithm.X25519, _peerPublic, NSecApi.KeyBlobFormat.RawPublicKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _initiatorIdentity.Dispose();
        _responderIdentity.Dispose();
        _seed.Dispose();
        _nsecSigningKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Primitives only (libsodium, same counts)")]
    public int Primitives()
    {
        int failures = 0;
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random[..8]);
        RandomNumberGenerator.Fill(random);
        RandomNumberGenerator.Fill(random);
        RandomNumberGenerator.Fill(random);
        RandomNumberGenerator.Fill(random);

        for (int i = 0; i < 2; i++)
        {
            X25519.DerivePublicKey(_ephemeralPrivate, _ephemeralPublic);
            failures += X25519.TryAgree(_ephemeralPrivate, _peerPublic, _scratch.AsSpan(0, 32)) ? 0 : 1;
            Ed25519.Sign(_edSecretKey, _signed, _signature);
            failures += Ed25519.Verify(_edPublicKey, _signed, _validSignature) ? 0 : 1;
            SHA256.HashData(_edPublicKey, _scratch.AsSpan(32, 32));
        }

        for (int i = 0; i < 4; i++)
        {
            NoiseCipherFunction.AesGcm.Encrypt(_key, 0, _hash, _scratch.AsSpan(0, SealLengths[i]), _scratch.AsSpan(128, SealLengths[i] + 16));
            failures += NoiseCipherFunction.AesGcm.Decrypt(_key, 0, _hash, _sealed[i], _scratch.AsSpan(0, SealLengths[i])) ? 0 : 1;
        }

        NoiseHashFunction sha256 = NoiseHashFunction.Sha256;
        for (int i = 0; i < 38; i++)
        {
            sha256.Hmac(_key, _hash, [(byte)i], _scratch.AsSpan(64, 32));
        }

        foreach (int length in MixHashLengths)
        {
            sha256.Hash(_hash, _scratch.AsSpan(0, length), _scratch.AsSpan(96, 32));
        }

        return failures;
    }

    [Benchmark(Description = "Full handshake, both sides")]
    public ulong FullHandshake()
    {
        var initiator = new HandshakeInitiator(_initiatorIdentity, _seed, _options);
        var responder = new HandshakeResponder(_responderIdentity, _seed, _cache, _options);
        initiator.WriteHello(_hello);
        responder.ProcessHello(ParseHeader(_hello), _hello, _response, out _);
        initiator.ProcessResponse(ParseHeader(_response), _response, _authProof, out _);
        responder.ProcessAuthProof(ParseHeader(_authProof), _authProof, _final, out _, out HandshakeResult? responderResult);
        HandshakeStatus status = initiator.ProcessFinal(ParseHeader(_final), _final, out HandshakeResult? initiatorResult);
        if (status != HandshakeStatus.Complete)
        {
            throw new InvalidOperationException($"Handshake ended with {status}.");
        }

        ulong sessionId = initiatorResult!.SessionId;
        initiatorResult.Dispose();
        responderResult!.Dispose();
        return sessionId;
    }

    [Benchmark(Description = "Asymmetric primitives via NSec Key objects")]
    public int PrimitivesViaNSecKeys()
    {
        int failures = 0;
        var creation = new NSecApi.KeyCreationParameters { ExportPolicy = NSecApi.KeyExportPolicies.AllowPlaintextExport };
        for (int i = 0; i < 2; i++)
        {
            using var ephemeral = NSecApi.Key.Create(NSecApi.KeyAgreementAlgorithm.X25519, creation);
            using NSecApi.SharedSecret? shared = NSecApi.KeyAgreementAlgorithm.X25519.Agree(ephemeral, _nsecPeerKey);
            failures += shared is null ? 1 : 0;
            NSecApi.SignatureAlgorithm.Ed25519.Sign(_nsecSigningKey, _signed, _signature);
            failures += NSecApi.SignatureAlgorithm.Ed25519.Verify(_nsecVerifyKey, _signed, _validSignature) ? 0 : 1;
        }

        return failures;
    }

    private static FrameHeader ParseHeader(byte[] frame) =>
        new(
            (FrameType)frame[0],
            (FrameFlags)frame[1],
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(2)),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(10)),
            (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(18)),
            frame[22]);
}

using System.Text.Json;
using Stt.Protocol.Crypto;
using Stt.Protocol.Noise;
using Xunit;

namespace Stt.Protocol.Tests.Noise;

/// <summary>
/// Reproduces the cacophony NNpsk0 vectors byte for byte: both handshake messages, the handshake hash, and the four
/// transport messages after Split() (messages alternate initiator, responder).
/// </summary>
public sealed class NoiseVectorTests
{
    private static readonly string[] ImplementedSuites =
    [
        "Noise_NNpsk0_25519_AESGCM_SHA256",
        "Noise_NNpsk0_25519_AESGCM_SHA512",
        "Noise_NNpsk0_25519_ChaChaPoly_SHA256",
        "Noise_NNpsk0_25519_ChaChaPoly_SHA512",
    ];

    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement vector in LoadVectors())
        {
            string name = vector.GetProperty("protocol_name").GetString()!;
            if (ImplementedSuites.Contains(name))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Fact]
    public void Vectors_EveryImplementedSuite_IsPresentInTheFile()
    {
        var names = LoadVectors().Select(v => v.GetProperty("protocol_name").GetString()).ToHashSet();

        Assert.All(ImplementedSuites, suite => Assert.Contains(suite, names));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void HandshakeAndTransport_CacophonyVector_ReproducesEveryByte(string protocolName)
    {
        JsonElement vector = LoadVectors().Single(v => v.GetProperty("protocol_name").GetString() == protocolName);
        NoiseProtocol protocol = NoiseProtocol.Parse(protocolName);
        var initiator = new HandshakeState(
            protocol,
            isInitiator: true,
            Hex(vector, "init_prologue"),
            Hex(vector.GetProperty("init_psks")[0]),
            Hex(vector, "init_ephemeral"));
        var responder = new HandshakeState(
            protocol,
            isInitiator: false,
            Hex(vector, "resp_prologue"),
            Hex(vector.GetProperty("resp_psks")[0]),
            Hex(vector, "resp_ephemeral"));
        JsonElement[] messages = vector.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(6, messages.Length);

        Exchange(ref initiator, ref responder, messages[0]);
        Exchange(ref responder, ref initiator, messages[1]);

        Assert.True(initiator.IsComplete);
        Assert.True(responder.IsComplete);
        byte[] expectedHash = Hex(vector, "handshake_hash");
        Assert.Equal(expectedHash, HandshakeHash(initiator));
        Assert.Equal(expectedHash, HandshakeHash(responder));

        initiator.Split(out CipherState initiatorSend, out CipherState initiatorReceive);
        responder.Split(out CipherState responderReceive, out CipherState responderSend);
        for (int i = 2; i < messages.Length; i++)
        {
            if (i % 2 == 0)
            {
                Transport(ref initiatorSend, ref responderReceive, messages[i]);
            }
            else
            {
                Transport(ref responderSend, ref initiatorReceive, messages[i]);
            }
        }
    }

    private static void Exchange(ref HandshakeState sender, ref HandshakeState receiver, JsonElement message)
    {
        byte[] payload = Hex(message, "payload");
        byte[] expected = Hex(message, "ciphertext");
        var buffer = new byte[HandshakeState.MaxMessageLength];

        Assert.True(sender.TryWriteMessage(payload, buffer, RandomSource.System, out int written));
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(buffer.AsSpan(0, written)));

        var received = new byte[expected.Length];
        Assert.True(receiver.TryReadMessage(expected, received, out int payloadLength));
        Assert.Equal(payload, received.AsSpan(0, payloadLength).ToArray());
    }

    private static void Transport(ref CipherState sender, ref CipherState receiver, JsonElement message)
    {
        byte[] payload = Hex(message, "payload");
        byte[] expected = Hex(message, "ciphertext");
        var buffer = new byte[payload.Length + 16];

        int written = sender.EncryptWithAd(default, payload, buffer);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(buffer.AsSpan(0, written)));

        var received = new byte[expected.Length];
        Assert.True(receiver.DecryptWithAd(default, expected, received, out int length));
        Assert.Equal(payload, received.AsSpan(0, length).ToArray());
    }

    private static byte[] HandshakeHash(HandshakeState state)
    {
        var hash = new byte[state.HashLength];
        state.CopyHandshakeHash(hash);
        return hash;
    }

    private static byte[] Hex(JsonElement element, string property) => Hex(element.GetProperty(property));

    private static byte[] Hex(JsonElement element) => Convert.FromHexString(element.GetString()!);

    private static JsonElement[] LoadVectors()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", "noise-nnpsk0.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone()).ToArray();
    }
}

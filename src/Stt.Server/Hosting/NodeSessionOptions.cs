using Stt.Protocol.Distribution;
using Stt.Protocol.Handshake;
using Stt.Protocol.Streams;
using Stt.Server.Configuration;
using SessionOptions = Stt.Protocol.Sessions.SessionOptions;

namespace Stt.Server.Hosting;

/// <summary>The protocol session settings both of the node's transports use, from <see cref="NodeOptions"/>.</summary>
internal static class NodeSessionOptions
{
    /// <summary>
    /// Bytes a stream may hold unsent in its session. Small on purpose: a subscriber that falls behind backs up into its
    /// fan-out queue, where the channel's policy (skip or disconnect) sees it, instead of into a deep send buffer that
    /// only adds latency. Larger messages still go out, a piece at a time.
    /// </summary>
    public const int SendBufferLimit = 64 * 1024;

    /// <summary>Session settings: timeouts from <c>Stt:Sessions</c>, everything else the protocol's defaults.</summary>
    public static SessionOptions Create(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SessionLimitOptions limits = options.Sessions;

        // The stream layer refuses longer messages before buffering them: a chunk of the largest size a manifest allows,
        // or a channel message, with room for their small headers; nothing a peer sends may make the node buffer more.
        int maxMessage = Math.Max(ContentManifestFormat.MaxChunkSize, options.Channels.MaxMessageLength) + 16;
        return SessionOptions.Default with
        {
            Streams = StreamOptions.Default with { MaxMessageLength = maxMessage, SendBufferLimit = SendBufferLimit },
            Handshake = new HandshakeOptions { HandshakeTimeout = limits.HandshakeTimeout },
            IdleTimeout = limits.IdleTimeout,
            KeepAliveInterval = limits.KeepAliveInterval,
        };
    }
}

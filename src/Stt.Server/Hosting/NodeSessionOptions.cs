using Stt.Protocol.Handshake;
using Stt.Server.Configuration;
using SessionOptions = Stt.Protocol.Sessions.SessionOptions;

namespace Stt.Server.Hosting;

/// <summary>The protocol session settings both of the node's transports use, from <see cref="NodeOptions"/>.</summary>
internal static class NodeSessionOptions
{
    /// <summary>Session settings: timeouts from <c>Stt:Sessions</c>, everything else the protocol's defaults.</summary>
    public static SessionOptions Create(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SessionLimitOptions limits = options.Sessions;
        return SessionOptions.Default with
        {
            Handshake = new HandshakeOptions { HandshakeTimeout = limits.HandshakeTimeout },
            IdleTimeout = limits.IdleTimeout,
            KeepAliveInterval = limits.KeepAliveInterval,
        };
    }
}

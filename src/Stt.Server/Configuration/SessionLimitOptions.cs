namespace Stt.Server.Configuration;

/// <summary>Limits one session manager applies to both transports (<c>Stt:Sessions</c>).</summary>
internal sealed class SessionLimitOptions
{
    /// <summary>The most established sessions at once; a session past it is closed with BUSY right after its handshake.</summary>
    public int MaxSessions { get; set; } = 20_000;

    /// <summary>The most established sessions from one IP address.</summary>
    public int MaxSessionsPerSource { get; set; } = 5_000;

    /// <summary>The most handshakes in progress at once, per transport; past it new WebSocket upgrades get 503.</summary>
    public int MaxHalfOpen { get; set; } = 2_048;

    /// <summary>UDP handshakes one source address (an IPv6 /64) may start per second, after <see cref="HandshakeBurstPerSource"/>.</summary>
    public int HandshakesPerSecondPerSource { get; set; } = 20;

    /// <summary>UDP handshakes one source address may start at once before the per-second rate applies.</summary>
    public int HandshakeBurstPerSource { get; set; } = 40;

    /// <summary>How long a session may stay silent before it is expired (keep-alives count as traffic).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle session sends a keep-alive; must be under half of <see cref="IdleTimeout"/>.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

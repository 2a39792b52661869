namespace Stt.Server.Configuration;

/// <summary>
/// The node's settings: the <c>Stt</c> section of appsettings.json, overridden by environment variables
/// (<c>STT__Udp__Port=9000</c>) and command-line flags (<c>--Stt:Udp:Port 9000</c>). Checked at start by
/// <see cref="NodeOptionsValidator"/>; the node refuses to start with a message naming each bad setting.
/// </summary>
internal sealed class NodeOptions
{
    /// <summary>The configuration section the options bind to.</summary>
    public const string SectionName = "Stt";

    /// <summary>
    /// Where the node keeps its seeds and content. Empty: <c>stt</c> under the user's local application data folder
    /// (<c>~/.local/share/stt</c> on Linux). A relative path is taken from the working directory.
    /// </summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>The node seed as hex (at least 32 bytes). Empty: read, or on first start create, <c>node.seed</c> in the data folder.</summary>
    public string NodeSeed { get; set; } = string.Empty;

    /// <summary>The shared seed as hex (at least 32 bytes). Empty: <see cref="SharedSeedPassphrase"/>, else <c>shared.seed</c> in the data folder.</summary>
    public string SharedSeed { get; set; } = string.Empty;

    /// <summary>A passphrase the shared seed is derived from (Argon2id); used only when <see cref="SharedSeed"/> is empty.</summary>
    public string SharedSeedPassphrase { get; set; } = string.Empty;

    /// <summary>The UDP endpoint.</summary>
    public UdpListenerOptions Udp { get; set; } = new();

    /// <summary>The WebSocket endpoint.</summary>
    public WebSocketListenerOptions WebSocket { get; set; } = new();

    /// <summary>Session limits and timeouts, shared by both transports.</summary>
    public SessionLimitOptions Sessions { get; set; } = new();

    /// <summary>The content store.</summary>
    public ContentStoreSettings Content { get; set; } = new();

    /// <summary>Live channels.</summary>
    public ChannelSettings Channels { get; set; } = new();

    /// <summary>The admin API.</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary>Telemetry export.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>How long a SIGTERM waits for sessions to close and content responses to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

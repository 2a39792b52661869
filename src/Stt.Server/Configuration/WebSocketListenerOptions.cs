namespace Stt.Server.Configuration;

/// <summary>The node's WebSocket endpoint on Kestrel (<c>Stt:WebSocket</c>).</summary>
internal sealed class WebSocketListenerOptions
{
    /// <summary>Whether the WebSocket endpoint is mapped.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The request path of the endpoint.</summary>
    public string Path { get; set; } = "/stt";

    /// <summary>The largest WebSocket message (one STT frame) accepted, 1,024..1,048,576 bytes; a larger one closes the connection with 1009.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024;

    /// <summary>How often WebSocket pings go out on an otherwise idle connection.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the connection is dropped.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Origins a browser may connect from; empty allows requests without an Origin header only (non-browser clients).</summary>
    public IList<string> AllowedOrigins { get; } = [];
}

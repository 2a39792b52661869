using System.Net;
using Stt.Transport;

namespace Stt.Server.Sessions;

/// <summary>The session manager's record of one established session.</summary>
/// <param name="Session">The session.</param>
/// <param name="Transport">"udp" or "websocket".</param>
/// <param name="Source">The peer's IP address when known.</param>
/// <param name="EstablishedAt">When the session was admitted.</param>
internal sealed record ManagedSession(SttSession Session, string Transport, IPAddress? Source, DateTimeOffset EstablishedAt);

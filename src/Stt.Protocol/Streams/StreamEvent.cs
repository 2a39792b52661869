namespace Stt.Protocol.Streams;

/// <summary>A change the application should react to, drained with <see cref="StreamManager.TryDequeueEvent"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="StreamId">The stream, or 0 for <see cref="StreamEventKind.StreamsAvailable"/>.</param>
/// <param name="ErrorCode">The peer's application error code for <see cref="StreamEventKind.Stopped"/>; otherwise 0.</param>
public readonly record struct StreamEvent(StreamEventKind Kind, int StreamId, ulong ErrorCode = 0);

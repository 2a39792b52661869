namespace Stt.Protocol.Streams.Internal;

/// <summary>A message queued on a live stream: its stream offsets (length prefix included) and when it was written.</summary>
/// <param name="Start">Offset of the first byte of its length prefix.</param>
/// <param name="End">Offset after its last body byte: the next message boundary.</param>
/// <param name="WrittenAt">The <see cref="TimeProvider.GetTimestamp"/> value when the application queued it.</param>
internal readonly record struct LiveMessage(ulong Start, ulong End, long WrittenAt);

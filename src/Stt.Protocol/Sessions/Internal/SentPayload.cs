using System.Runtime.InteropServices;
using Stt.Protocol.Streams;

namespace Stt.Protocol.Sessions.Internal;

/// <summary>
/// The content of one sent frame, kept by the loss detector until the frame is acknowledged or lost. A struct, so
/// tracking a frame allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct SentPayload(
    SentPayloadKind Kind,
    int StreamId,
    ulong Offset,
    int Length,
    bool Fin,
    StreamControlItem Control,
    bool CarriesAck,
    ulong AckLargest)
{
    public static SentPayload ForData(in StreamChunk chunk) =>
        new(SentPayloadKind.Data, chunk.StreamId, chunk.Offset, chunk.Length, chunk.Fin, default, false, 0);

    public static SentPayload ForControl(in StreamControlItem item) =>
        new(SentPayloadKind.StreamControl, item.StreamId, 0, 0, false, item, false, 0);

    public static SentPayload ForPing() => new(SentPayloadKind.Ping, 0, 0, 0, false, default, false, 0);

    public static SentPayload ForAck(ulong largest) => new(SentPayloadKind.Ack, 0, 0, 0, false, default, true, largest);

    public static SentPayload ForClose() => new(SentPayloadKind.Close, 0, 0, 0, false, default, false, 0);
}

using System.Runtime.InteropServices;

namespace Stt.Protocol.Encoding;

/// <summary>One decoded STREAM_CONTROL message (docs/protocol.md, section 10), as <see cref="StreamControlMessageReader"/> returns it.</summary>
/// <remarks>The target stream is the frame header's stream ID. Properties that do not belong to <see cref="Kind"/> are 0.</remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct StreamControlMessage
{
    private readonly ulong _first;
    private readonly ulong _second;

    private StreamControlMessage(StreamControlMessageKind kind, ulong first, ulong second)
    {
        Kind = kind;
        _first = first;
        _second = second;
    }

    /// <summary>The message kind.</summary>
    public StreamControlMessageKind Kind { get; }

    /// <summary>The application error code of RESET_STREAM or STOP_SENDING.</summary>
    public ulong ApplicationErrorCode =>
        Kind is StreamControlMessageKind.ResetStream or StreamControlMessageKind.StopSending ? _first : 0;

    /// <summary>The final size of the stream, in bytes, carried by RESET_STREAM.</summary>
    public ulong FinalSize => Kind == StreamControlMessageKind.ResetStream ? _second : 0;

    /// <summary>The highest stream offset the peer may send, carried by MAX_STREAM_DATA.</summary>
    public ulong Value => Kind == StreamControlMessageKind.MaxStreamData ? _first : 0;

    /// <summary>The message boundary carried by DISCARD: the receiver skips every byte of the stream below it.</summary>
    public ulong Offset => Kind == StreamControlMessageKind.Discard ? _first : 0;

    internal static StreamControlMessage ResetStream(ulong applicationErrorCode, ulong finalSize) =>
        new(StreamControlMessageKind.ResetStream, applicationErrorCode, finalSize);

    internal static StreamControlMessage StopSending(ulong applicationErrorCode) =>
        new(StreamControlMessageKind.StopSending, applicationErrorCode, 0);

    internal static StreamControlMessage MaxStreamData(ulong maximum) =>
        new(StreamControlMessageKind.MaxStreamData, maximum, 0);

    internal static StreamControlMessage Discard(ulong offset) =>
        new(StreamControlMessageKind.Discard, offset, 0);
}

using System.Diagnostics;

namespace Stt.Protocol.Encoding;

/// <summary>One decoded CONTROL message (docs/protocol.md, section 9), as <see cref="ControlMessageReader"/> returns it.</summary>
/// <remarks>
/// The message refers to the plaintext it was read from and does not copy it; it is valid as long as that buffer is.
/// Properties that do not belong to <see cref="Kind"/> return 0 or an empty span.
/// </remarks>
public readonly ref struct ControlMessage
{
    private readonly ulong _first;
    private readonly ulong _second;
    private readonly ulong _firstAckRange;
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _ackRangeCount;

    private ControlMessage(
        ControlMessageKind kind,
        ulong first,
        ulong second,
        ulong firstAckRange,
        int ackRangeCount,
        ReadOnlySpan<byte> bytes)
    {
        Kind = kind;
        _first = first;
        _second = second;
        _firstAckRange = firstAckRange;
        _ackRangeCount = ackRangeCount;
        _bytes = bytes;
    }

    /// <summary>The message kind.</summary>
    public ControlMessageKind Kind { get; }

    /// <summary>Whether the message requires an acknowledgement: PING, MAX_DATA and MAX_STREAMS do; ACK and CLOSE do not.</summary>
    public bool IsAckEliciting => Kind is ControlMessageKind.Ping or ControlMessageKind.MaxData or ControlMessageKind.MaxStreams;

    /// <summary>The new limit carried by MAX_DATA (bytes) or MAX_STREAMS (streams).</summary>
    public ulong Value => Kind is ControlMessageKind.MaxData or ControlMessageKind.MaxStreams ? _first : 0;

    /// <summary>The error code of CLOSE; values from <see cref="ProtocolErrorCode.ApplicationBase"/> on are the application's.</summary>
    public ProtocolErrorCode ErrorCode => Kind == ControlMessageKind.Close ? (ProtocolErrorCode)_first : ProtocolErrorCode.NoError;

    /// <summary>The reason of CLOSE: valid UTF-8, at most <see cref="ControlMessageWriter.MaxCloseReasonLength"/> bytes.</summary>
    public ReadOnlySpan<byte> Reason => Kind == ControlMessageKind.Close ? _bytes : default;

    /// <summary>The largest sequence number an ACK acknowledges.</summary>
    public ulong Largest => Kind == ControlMessageKind.Ack ? _first : 0;

    /// <summary>The ACK delay in microseconds: how long the peer held the ACK after receiving <see cref="Largest"/>.</summary>
    public ulong AckDelayMicroseconds => Kind == ControlMessageKind.Ack ? _second : 0;

    /// <summary>Number of ranges an ACK carries, first range included: 1 to <see cref="ControlMessageWriter.MaxAckRanges"/>.</summary>
    public int AckRangeCount => Kind == ControlMessageKind.Ack ? _ackRangeCount : 0;

    /// <summary>The ranges an ACK acknowledges, largest first, as on the wire; empty for other kinds.</summary>
    /// <remarks>The ranges were validated when the message was read, so enumerating them cannot fail.</remarks>
    public AckRangeEnumerator AckRanges =>
        Kind == ControlMessageKind.Ack ? new AckRangeEnumerator(_first, _firstAckRange, _ackRangeCount, _bytes) : default;

    internal static ControlMessage Ping() => new(ControlMessageKind.Ping, 0, 0, 0, 0, default);

    internal static ControlMessage Limit(ControlMessageKind kind, ulong value)
    {
        Debug.Assert(kind is ControlMessageKind.MaxData or ControlMessageKind.MaxStreams);
        return new ControlMessage(kind, value, 0, 0, 0, default);
    }

    internal static ControlMessage Close(ulong errorCode, ReadOnlySpan<byte> reason) =>
        new(ControlMessageKind.Close, errorCode, 0, 0, 0, reason);

    internal static ControlMessage Ack(ulong largest, ulong ackDelay, ulong firstRange, int rangeCount, ReadOnlySpan<byte> gapsAndLengths) =>
        new(ControlMessageKind.Ack, largest, ackDelay, firstRange, rangeCount, gapsAndLengths);
}

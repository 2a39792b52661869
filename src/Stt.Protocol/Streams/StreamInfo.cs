using System.Runtime.InteropServices;

namespace Stt.Protocol.Streams;

/// <summary>A snapshot of one stream, from <see cref="StreamManager.TryGetStreamInfo"/>.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="State">Its life-cycle state.</param>
/// <param name="IsLocal">Whether this side opened it.</param>
/// <param name="SendBufferedBytes">Bytes written by the application and not yet acknowledged by the peer.</param>
/// <param name="ReceiveBufferedBytes">Bytes received and not yet read, including the part of a message being reassembled.</param>
/// <param name="ResetErrorCode">The peer's code when it reset the stream (RESET_STREAM); otherwise null.</param>
/// <param name="StopSendingErrorCode">The peer's code when it asked us to stop sending (STOP_SENDING); otherwise null.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct StreamInfo(
    int StreamId,
    StreamState State,
    bool IsLocal,
    long SendBufferedBytes,
    long ReceiveBufferedBytes,
    ulong? ResetErrorCode,
    ulong? StopSendingErrorCode);

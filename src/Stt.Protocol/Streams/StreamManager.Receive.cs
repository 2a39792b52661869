using System.Buffers;
using Stt.Protocol.Encoding;
using Stt.Protocol.Streams.Internal;

namespace Stt.Protocol.Streams;

/// <summary>Receive side: DATA and RESET_STREAM from the peer, application reads and message reassembly.</summary>
public sealed partial class StreamManager
{
    /// <summary>The peer sent DATA: <paramref name="data"/> at <paramref name="offset"/> of the stream, ending it when <paramref name="fin"/> is set.</summary>
    /// <remarks>
    /// Opens the stream (and every lower peer stream not opened yet) when this is the first frame naming it. Bytes
    /// already received are ignored; out-of-order bytes wait in the stream's reorder buffer; a
    /// <see cref="StreamEventKind.Readable"/> event is queued when in-order bytes or the end become readable. Frames for
    /// streams that have closed are ignored.
    /// </remarks>
    /// <exception cref="ProtocolViolationException">
    /// <see cref="ProtocolErrorCode.StreamStateError"/>: the stream has this side's parity and this side never opened it;
    /// <see cref="ProtocolErrorCode.StreamLimitError"/>: it is beyond the MAX_STREAMS we advertised;
    /// <see cref="ProtocolErrorCode.FlowControlError"/>: the data passes the stream's or the session's limit;
    /// <see cref="ProtocolErrorCode.FinalSizeError"/>: the data passes the final size, or a FIN moves or undercuts it;
    /// <see cref="ProtocolErrorCode.ProtocolViolation"/>: the ID is not 1 – 65,535.
    /// </exception>
    public void OnData(int streamId, ulong offset, ReadOnlySpan<byte> data, bool fin)
    {
        StreamEntry? entry = ResolvePeerFrame(streamId);
        if (entry is null)
        {
            return;
        }

        ReceiveHalf receive = entry.Receive;
        ulong end = offset + (ulong)data.Length;
        if (offset > Varint.MaxValue || end > Varint.MaxValue)
        {
            ThrowProtocol(ProtocolErrorCode.FlowControlError, $"Data on stream {streamId} ends beyond the largest offset.");
        }

        if (receive.FinalKnown)
        {
            if (end > receive.FinalSize || (fin && end != receive.FinalSize))
            {
                ThrowProtocol(
                    ProtocolErrorCode.FinalSizeError,
                    $"Data on stream {streamId} ending at {end} contradicts its final size {receive.FinalSize}.");
            }
        }
        else if (fin && end < receive.Highest)
        {
            ThrowProtocol(
                ProtocolErrorCode.FinalSizeError,
                $"FIN on stream {streamId} sets final size {end} below data already received up to {receive.Highest}.");
        }

        AccountReceived(entry, end);
        MarkOpen(entry);
        bool finArrived = fin && !receive.FinalKnown;
        if (finArrived)
        {
            receive.SetFinalSize(end);
            MarkClosing(entry);
        }

        switch (receive.Phase)
        {
            case ReceivePhase.Receiving:
                bool advanced = receive.Buffer.Write(offset, data);
                if (advanced || (finArrived && receive.Buffer.ContiguousEnd == receive.FinalSize))
                {
                    SignalReadable(entry);
                }

                CompleteIfAllRead(entry);
                break;
            case ReceivePhase.Stopped:
                CreditTo(entry, receive.Highest);
                if (receive.FinalKnown)
                {
                    receive.Phase = ReceivePhase.Done;
                    TryClose(entry);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The peer sent RESET_STREAM: it abandoned its sending direction at <paramref name="finalSize"/>.</summary>
    /// <remarks>
    /// Unread data is discarded at once and credited back; the application learns of the reset from a
    /// <see cref="StreamEventKind.Readable"/> event and a read returning <see cref="StreamReadStatus.Reset"/>.
    /// Repeated or late resets are ignored.
    /// </remarks>
    /// <exception cref="ProtocolViolationException">
    /// <see cref="ProtocolErrorCode.FinalSizeError"/>: the final size differs from a known one or is below data already
    /// received; <see cref="ProtocolErrorCode.FlowControlError"/>: it passes the stream's or the session's limit; and
    /// the stream ID errors of <see cref="OnData"/>.
    /// </exception>
    public void OnResetStream(int streamId, ulong errorCode, ulong finalSize)
    {
        StreamEntry? entry = ResolvePeerFrame(streamId);
        if (entry is null)
        {
            return;
        }

        ReceiveHalf receive = entry.Receive;
        if (receive.FinalKnown ? finalSize != receive.FinalSize : finalSize < receive.Highest)
        {
            ThrowProtocol(
                ProtocolErrorCode.FinalSizeError,
                $"RESET_STREAM on stream {streamId} gives final size {finalSize}, inconsistent with the data received.");
        }

        AccountReceived(entry, finalSize);
        MarkOpen(entry);
        if (!receive.FinalKnown)
        {
            receive.SetFinalSize(finalSize);
        }

        switch (receive.Phase)
        {
            case ReceivePhase.Receiving:
                receive.Discard();
                receive.ResetCode = errorCode;
                receive.Phase = ReceivePhase.ResetReceived;
                CreditTo(entry, finalSize);
                MarkClosing(entry);
                SignalReadable(entry);
                break;
            case ReceivePhase.Stopped:
                receive.ResetCode = errorCode;
                receive.Phase = ReceivePhase.Done;
                CreditTo(entry, finalSize);
                MarkClosing(entry);
                TryClose(entry);
                break;
            default:
                break;
        }
    }

    /// <summary>Reads in-order bytes of a stream.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="bytesRead">How many were copied.</param>
    /// <returns>
    /// <see cref="StreamReadStatus.Success"/> with bytes; <see cref="StreamReadStatus.Pending"/> when none are
    /// readable yet; <see cref="StreamReadStatus.EndOfStream"/> after the last byte (also for a stream that has since
    /// closed); <see cref="StreamReadStatus.Reset"/> when the peer reset the stream.
    /// </returns>
    /// <exception cref="InvalidOperationException">Reading was stopped with <see cref="StopSending"/>, or a message is half read by <see cref="ReadMessage"/>.</exception>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public StreamReadStatus Read(int streamId, Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        StreamEntry? entry = FindForApp(streamId);
        if (entry is null)
        {
            return StreamReadStatus.EndOfStream;
        }

        if (TryGetTerminalReadStatus(entry, out StreamReadStatus terminal))
        {
            return terminal;
        }

        ReceiveHalf receive = entry.Receive;
        if (receive.HasPartialMessage)
        {
            ThrowInvalidState(streamId, "a message is partly read; continue with ReadMessage.");
        }

        ApplySkipIfBlocked(entry, wholeMessages: false);

        if (receive.Buffer.Available > 0)
        {
            bytesRead = receive.Buffer.Read(destination);
            Credit(entry, (ulong)bytesRead);
            CompleteIfAllRead(entry);
            return StreamReadStatus.Success;
        }

        return receive.AllRead ? StreamReadStatus.EndOfStream : StreamReadStatus.Pending;
    }

    /// <summary>Reads the next whole message (length varint, then the bytes) of a stream.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="destination">Receives the message body, and only when the whole message has arrived.</param>
    /// <param name="messageLength">The body length written to <paramref name="destination"/>.</param>
    /// <returns>
    /// <see cref="StreamReadStatus.Success"/> with a message; <see cref="StreamReadStatus.Pending"/> when the next
    /// message is not complete yet; <see cref="StreamReadStatus.EndOfStream"/> at the end of the stream (between
    /// messages); <see cref="StreamReadStatus.Reset"/> when the peer reset the stream.
    /// </returns>
    /// <remarks>
    /// A message that has not fully arrived is moved out of the stream's receive window into a pooled buffer as its
    /// bytes arrive, on each call, so that flow control keeps moving for messages far larger than the window; call
    /// again on every <see cref="StreamEventKind.Readable"/> event. The length is checked against
    /// <see cref="StreamOptions.MaxMessageLength"/> before anything is buffered.
    /// </remarks>
    /// <exception cref="ProtocolViolationException">
    /// <see cref="ProtocolErrorCode.FrameSizeError"/>: the length exceeds <see cref="StreamOptions.MaxMessageLength"/>, or
    /// the stream ends inside a message; <see cref="ProtocolErrorCode.ProtocolViolation"/>: the length varint is not
    /// minimal. The session must close.
    /// </exception>
    /// <exception cref="InvalidOperationException">Reading was stopped with <see cref="StopSending"/>.</exception>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public StreamReadStatus ReadMessage(int streamId, IBufferWriter<byte> destination, out int messageLength)
    {
        ArgumentNullException.ThrowIfNull(destination);
        messageLength = 0;
        StreamEntry? entry = FindForApp(streamId);
        if (entry is null)
        {
            return StreamReadStatus.EndOfStream;
        }

        if (TryGetTerminalReadStatus(entry, out StreamReadStatus terminal))
        {
            return terminal;
        }

        ReceiveHalf receive = entry.Receive;
        ReceiveBuffer buffer = receive.Buffer;
        if (ApplySkipIfBlocked(entry, wholeMessages: true) && receive.Phase != ReceivePhase.Receiving)
        {
            return StreamReadStatus.EndOfStream;
        }

        if (!receive.HasPartialMessage)
        {
            int available = buffer.Available;
            if (available == 0)
            {
                return receive.AllRead ? StreamReadStatus.EndOfStream : StreamReadStatus.Pending;
            }

            Span<byte> prefix = stackalloc byte[Varint.MaxLength];
            int peeked = buffer.Peek(prefix);
            int prefixLength = Varint.GetLengthFromFirstByte(prefix[0]);
            if (peeked < prefixLength)
            {
                ThrowIfEndsInsideMessage(entry);
                return StreamReadStatus.Pending;
            }

            if (Varint.TryRead(prefix[..prefixLength], out ulong length, out _) != OperationStatus.Done)
            {
                ThrowProtocol(ProtocolErrorCode.ProtocolViolation, $"Message length on stream {streamId} is not minimally encoded.");
            }

            if (length > (ulong)_options.MaxMessageLength)
            {
                ThrowProtocol(
                    ProtocolErrorCode.FrameSizeError,
                    $"Message of {length} bytes on stream {streamId} exceeds the {_options.MaxMessageLength}-byte limit.");
            }

            int bodyLength = (int)length;
            buffer.Skip(prefixLength);
            if (available - prefixLength >= bodyLength)
            {
                if (bodyLength > 0)
                {
                    buffer.Read(destination.GetSpan(bodyLength)[..bodyLength]);
                    destination.Advance(bodyLength);
                }

                messageLength = bodyLength;
                Credit(entry, (ulong)(prefixLength + bodyLength));
                CompleteIfAllRead(entry);
                return StreamReadStatus.Success;
            }

            Credit(entry, (ulong)prefixLength);
            receive.Message.Begin(bodyLength, buffer.ReadOffset - (ulong)prefixLength, buffer.ReadOffset + (ulong)bodyLength);
        }

        MessageAssembler message = receive.Message;
        Credit(entry, (ulong)message.Fill(buffer));
        if (!message.IsComplete)
        {
            ThrowIfEndsInsideMessage(entry);
            return StreamReadStatus.Pending;
        }

        message.CopyTo(destination);
        messageLength = message.Length;
        message.Dispose();
        CompleteIfAllRead(entry);
        return StreamReadStatus.Success;
    }

    /// <summary>Abandons the receive direction: unread data is dropped and STOP_SENDING asks the peer to reset.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="errorCode">Application error code for the peer (at most 2^62 - 1).</param>
    /// <remarks>
    /// Data that still arrives is counted for flow control and dropped. STOP_SENDING is not sent when the peer's final
    /// size is already known. Does nothing on a closed stream or when called again.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The code does not fit a varint.</exception>
    /// <exception cref="ArgumentException">The stream was never opened.</exception>
    public void StopSending(int streamId, ulong errorCode)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(errorCode, Varint.MaxValue);
        StreamEntry? entry = FindForApp(streamId);
        if (entry is null || entry.Receive.StopRequested)
        {
            return;
        }

        ReceiveHalf receive = entry.Receive;
        receive.StopRequested = true;
        switch (receive.Phase)
        {
            case ReceivePhase.Receiving:
                receive.Discard();
                receive.Phase = ReceivePhase.Stopped;
                CreditTo(entry, receive.Highest);
                if (receive.FinalKnown)
                {
                    receive.Phase = ReceivePhase.Done;
                }
                else
                {
                    _controlQueue.Enqueue(StreamControlItem.StopSending(streamId, errorCode));
                }

                break;
            case ReceivePhase.ResetReceived:
                receive.Phase = ReceivePhase.Done;
                break;
            default:
                break;
        }

        TryClose(entry);
    }

    /// <summary>Checks the stream and session limits for data ending at <paramref name="end"/> and counts it.</summary>
    private void AccountReceived(StreamEntry entry, ulong end)
    {
        ReceiveHalf receive = entry.Receive;
        if (end > receive.Limit)
        {
            ThrowProtocol(
                ProtocolErrorCode.FlowControlError,
                $"Data on stream {entry.Id} reaches offset {end}, beyond its limit {receive.Limit}.");
        }

        if (end <= receive.Highest)
        {
            return;
        }

        ulong added = end - receive.Highest;
        if (_sessionReceived + added > _sessionReceiveLimit)
        {
            ThrowProtocol(
                ProtocolErrorCode.FlowControlError,
                $"Data on stream {entry.Id} takes the session to {_sessionReceived + added} bytes, beyond its limit {_sessionReceiveLimit}.");
        }

        _sessionReceived += added;
        receive.Highest = end;
    }

    private bool TryGetTerminalReadStatus(StreamEntry entry, out StreamReadStatus status)
    {
        ReceiveHalf receive = entry.Receive;
        if (receive.StopRequested)
        {
            ThrowInvalidState(entry.Id, "reading was stopped.");
        }

        switch (receive.Phase)
        {
            case ReceivePhase.ResetReceived:
                receive.Phase = ReceivePhase.Done;
                status = StreamReadStatus.Reset;
                TryClose(entry);
                return true;
            case ReceivePhase.Done:
                status = receive.ResetCode is null ? StreamReadStatus.EndOfStream : StreamReadStatus.Reset;
                return true;
            default:
                status = StreamReadStatus.Success;
                return false;
        }
    }

    private void CompleteIfAllRead(StreamEntry entry)
    {
        if (entry.Receive.Phase == ReceivePhase.Receiving && entry.Receive.AllRead)
        {
            entry.Receive.Phase = ReceivePhase.Done;
            entry.Receive.Discard();
            TryClose(entry);
        }
    }

    private static void ThrowIfEndsInsideMessage(StreamEntry entry)
    {
        ReceiveHalf receive = entry.Receive;
        if (receive.FinalKnown && receive.Buffer.ContiguousEnd == receive.FinalSize)
        {
            ThrowProtocol(ProtocolErrorCode.FrameSizeError, $"Stream {entry.Id} ends inside a message.");
        }
    }
}

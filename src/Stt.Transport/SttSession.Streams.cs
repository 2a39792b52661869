using System.Buffers;
using Stt.Protocol.Encoding;
using Stt.Protocol.Sessions;
using Stt.Protocol.Streams;
using Stt.Transport.Internal;

namespace Stt.Transport;

public abstract partial class SttSession
{
    /// <summary>Opens a stream of this side's parity.</summary>
    /// <returns>The stream ID.</returns>
    /// <exception cref="InvalidOperationException">The peer's stream limit is reached; see <see cref="OpenStreamAsync"/>.</exception>
    /// <exception cref="SessionClosedException">The session is closed.</exception>
    public int OpenStream()
    {
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            return _session.TryOpenStream(out int streamId)
                ? streamId
                : throw new InvalidOperationException("The peer's MAX_STREAMS limit is reached.");
        }
    }

    /// <summary>Opens a stream of this side's parity, waiting for the peer to raise its stream limit if needed.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The stream ID.</returns>
    public async ValueTask<int> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            lock (_lock)
            {
                ThrowIfNotActiveLocked();
                if (_session.TryOpenStream(out int streamId))
                {
                    return streamId;
                }
            }

            await _streamsAvailable.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a live stream of this side's parity: a message not delivered within <paramref name="deadline"/> of being
    /// written is dropped rather than retransmitted (<see cref="Session.TryOpenLiveStream(out int, TimeSpan)"/>).
    /// </summary>
    /// <param name="deadline">How long a message stays worth delivering.</param>
    /// <returns>The stream ID.</returns>
    /// <exception cref="InvalidOperationException">The peer's stream limit is reached.</exception>
    /// <exception cref="SessionClosedException">The session is closed.</exception>
    public int OpenLiveStream(TimeSpan deadline)
    {
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            return _session.TryOpenLiveStream(out int streamId, deadline)
                ? streamId
                : throw new InvalidOperationException("The peer's MAX_STREAMS limit is reached.");
        }
    }

    /// <summary>Waits for the next stream the peer opened.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The stream ID.</returns>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async ValueTask<int> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        while (await _incomingStreams.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_incomingStreams.Reader.TryRead(out int streamId))
            {
                return streamId;
            }
        }

        lock (_lock)
        {
            throw CreateClosedExceptionLocked();
        }
    }

    /// <summary>Sends one message on a stream: its length, then its bytes, reassembled whole by the peer.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="message">The message; it is copied before the returned task completes.</param>
    /// <param name="cancellationToken">Stops waiting for send-buffer space. A message cancelled midway leaves the stream unusable.</param>
    /// <returns>Completes once the whole message is in the stream's send buffer.</returns>
    /// <exception cref="StreamAbortedException">The peer asked this side to stop sending.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public ValueTask WriteMessageAsync(int streamId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (message.Length + Varint.MaxLength > _sendBufferLimit)
        {
            return WriteLargeMessageAsync(streamId, message, cancellationToken);
        }

        AsyncSignal writable;
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            if (Complete(WriteMessageLocked(streamId, message.Span), streamId))
            {
                return default;
            }

            writable = GetSignalsLocked(streamId).Writable;
        }

        return WriteMessageSlowAsync(streamId, message, writable, cancellationToken);
    }

    /// <summary>
    /// Puts one whole message into a stream's send buffer if it fits now, without waiting: for a writer that sends
    /// from a pooled or shared buffer and waits with <see cref="WaitWritableAsync"/> when this returns false.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="message">The message; copied before the call returns.</param>
    /// <returns>True when the whole message was queued; false when the send buffer has no room for it (nothing was queued).
    /// A message longer than the stream's send buffer never fits: use <see cref="WriteMessageAsync"/> for those.</returns>
    /// <exception cref="StreamAbortedException">The peer asked this side to stop sending.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public bool TryWriteMessage(int streamId, ReadOnlySpan<byte> message) => TryWriteMessage(streamId, message, flush: true);

    /// <summary>
    /// <see cref="TryWriteMessage(int, ReadOnlySpan{byte})"/>, optionally leaving the message in the send buffer until
    /// <see cref="Flush"/>: a writer with several messages ready writes them all and flushes once, so they share frames
    /// (one seal, one transport send and one acknowledgement for as many messages as a frame holds) instead of each
    /// leaving in a frame of its own.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="message">The message; copied before the call returns.</param>
    /// <param name="flush">False to defer sending until <see cref="Flush"/>, which the caller must then call.</param>
    /// <returns>True when the whole message was queued; false when the send buffer has no room for it.</returns>
    /// <exception cref="StreamAbortedException">The peer asked this side to stop sending.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public bool TryWriteMessage(int streamId, ReadOnlySpan<byte> message, bool flush)
    {
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            StreamWriteStatus status = WriteMessageLocked(streamId, message);
            if (!flush && status == StreamWriteStatus.Success)
            {
                return true;
            }

            if (Complete(status, streamId))
            {
                return true;
            }

            // Registers the waiter's signal, so the stream's next Writable event is not lost before WaitWritableAsync.
            GetSignalsLocked(streamId);
            return false;
        }
    }

    /// <summary>Sends what deferred writes left in the send buffers (as far as flow and congestion control allow).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            PumpLocked();
        }
    }

    /// <summary>
    /// Waits until a stream's send buffer may have room, after <see cref="TryWriteMessage(int, ReadOnlySpan{byte})"/> returned false. It can
    /// complete without room (a stale wake-up): retry the write, and wait again if it still does not fit.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes when the stream became writable, was stopped, or the session closed.</returns>
    /// <exception cref="SessionClosedException">The session is closed.</exception>
    public ValueTask WaitWritableAsync(int streamId, CancellationToken cancellationToken = default)
    {
        AsyncSignal writable;
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            writable = GetSignalsLocked(streamId).Writable;
        }

        return writable.WaitAsync(cancellationToken);
    }

    /// <summary>Ends this side's direction of a stream (FIN) once everything written before is sent.</summary>
    /// <param name="streamId">The stream.</param>
    public void Finish(int streamId)
    {
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            _session.Finish(streamId);
            PumpLocked();
        }
    }

    /// <summary>Abandons this side's direction of a stream (RESET_STREAM) with an application error code.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="errorCode">The application error code the peer sees.</param>
    public void Reset(int streamId, ulong errorCode)
    {
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            _session.Reset(streamId, errorCode);
            PumpLocked();
        }
    }

    /// <summary>Asks the peer to stop sending on a stream (STOP_SENDING) with an application error code.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="errorCode">The application error code the peer sees.</param>
    /// <exception cref="SessionClosedException">The session is closed.</exception>
    public void StopSending(int streamId, ulong errorCode)
    {
        lock (_lock)
        {
            ThrowIfNotActiveLocked();
            _session.StopSending(streamId, errorCode);
            PumpLocked();
        }
    }

    /// <summary>Reads the next whole message of a stream, waiting for it to arrive.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="destination">Receives the message bytes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message length, or <see cref="EndOfStream"/> once the peer finished the stream and every message was read.</returns>
    /// <exception cref="StreamAbortedException">The peer reset the stream.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public ValueTask<int> ReadMessageAsync(int streamId, IBufferWriter<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        AsyncSignal readable;
        lock (_lock)
        {
            if (TryReadLocked(streamId, destination, out int result))
            {
                return new ValueTask<int>(result);
            }

            readable = GetSignalsLocked(streamId).Readable;
        }

        return ReadMessageSlowAsync(streamId, destination, readable, cancellationToken);
    }

    private async ValueTask<int> ReadMessageSlowAsync(int streamId, IBufferWriter<byte> destination, AsyncSignal readable, CancellationToken cancellationToken)
    {
        while (true)
        {
            await readable.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (TryReadLocked(streamId, destination, out int result))
                {
                    return result;
                }
            }
        }
    }

    private bool TryReadLocked(int streamId, IBufferWriter<byte> destination, out int result)
    {
        ThrowIfNotActiveLocked();
        StreamReadStatus status = _session.ReadMessage(streamId, destination, out int length);
        switch (status)
        {
            case StreamReadStatus.Success:
                // Reading frees receive window: the session may now owe the peer MAX_STREAM_DATA or MAX_DATA.
                PumpLocked();
                result = length;
                return true;
            case StreamReadStatus.EndOfStream:
                PumpLocked();
                result = EndOfStream;
                return true;
            case StreamReadStatus.Reset:
                PumpLocked();
                _session.TryGetStreamInfo(streamId, out StreamInfo info);
                throw new StreamAbortedException(streamId, info.ResetErrorCode ?? 0, $"The peer reset stream {streamId}.");
            default:
                result = 0;
                return false;
        }
    }

    private async ValueTask WriteMessageSlowAsync(int streamId, ReadOnlyMemory<byte> message, AsyncSignal writable, CancellationToken cancellationToken)
    {
        while (true)
        {
            await writable.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                ThrowIfNotActiveLocked();
                if (Complete(WriteMessageLocked(streamId, message.Span), streamId))
                {
                    return;
                }
            }
        }
    }

    private async ValueTask WriteLargeMessageAsync(int streamId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        AsyncSignal writable;
        while (true)
        {
            lock (_lock)
            {
                ThrowIfNotActiveLocked();
                writable = GetSignalsLocked(streamId).Writable;
                if (Complete(BeginMessageLocked(streamId, message.Length), streamId))
                {
                    break;
                }
            }

            await writable.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        while (!message.IsEmpty)
        {
            lock (_lock)
            {
                ThrowIfNotActiveLocked();
                StreamWriteStatus status = WriteLocked(streamId, message.Span, out int written);
                message = message[written..];
                Complete(status, streamId);
                if (message.IsEmpty)
                {
                    return;
                }
            }

            await writable.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a message, turning a write to a stream the protocol already freed (the peer stopped it after finishing its
    /// own direction, so nothing of the stream is left) into the <see cref="StreamAbortedException"/> a writer expects.
    /// </summary>
    /// <remarks>The stream is looked up only when the write fails, so the per-message path costs nothing extra.</remarks>
    private StreamWriteStatus WriteMessageLocked(int streamId, ReadOnlySpan<byte> message)
    {
        try
        {
            return _session.WriteMessage(streamId, message);
        }
        catch (InvalidOperationException) when (!_session.TryGetStreamInfo(streamId, out _))
        {
            throw FreedStream(streamId);
        }
    }

    private StreamWriteStatus BeginMessageLocked(int streamId, int length)
    {
        try
        {
            return _session.BeginMessage(streamId, length);
        }
        catch (InvalidOperationException) when (!_session.TryGetStreamInfo(streamId, out _))
        {
            throw FreedStream(streamId);
        }
    }

    private StreamWriteStatus WriteLocked(int streamId, ReadOnlySpan<byte> data, out int written)
    {
        try
        {
            return _session.Write(streamId, data, out written);
        }
        catch (InvalidOperationException) when (!_session.TryGetStreamInfo(streamId, out _))
        {
            throw FreedStream(streamId);
        }
    }

    private static StreamAbortedException FreedStream(int streamId) =>
        new(streamId, 0, $"Stream {streamId} is closed: the peer stopped it, or it is not open.");

    /// <summary>Sends what a write queued; true when it was accepted, false when the send buffer was full.</summary>
    private bool Complete(StreamWriteStatus status, int streamId)
    {
        switch (status)
        {
            case StreamWriteStatus.Success:
                PumpLocked();
                return true;
            case StreamWriteStatus.Aborted:
                _session.TryGetStreamInfo(streamId, out StreamInfo info);
                throw new StreamAbortedException(streamId, info.StopSendingErrorCode ?? 0, $"The peer asked to stop sending on stream {streamId}.");
            default:
                return false;
        }
    }
}

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Stt.Protocol.Streams;

namespace Stt.Protocol.Sessions;

public sealed partial class Session
{
    /// <summary>Opens a new stream of this side's parity.</summary>
    /// <returns>False when the peer's MAX_STREAMS limit is reached; a <see cref="StreamEventKind.StreamsAvailable"/> event follows when it rises.</returns>
    /// <exception cref="InvalidOperationException">The session is not active.</exception>
    public bool TryOpenStream(out int streamId) => ActiveStreams.TryOpenStream(out streamId);

    /// <summary>Opens a new stream whose messages are dropped, not retransmitted, once older than <paramref name="deadline"/> (for media).</summary>
    /// <remarks>See <see cref="StreamManager.TryOpenLiveStream"/>; the session's clock dates the messages.</remarks>
    /// <returns>False when the peer's MAX_STREAMS limit is reached, as for <see cref="TryOpenStream"/>.</returns>
    /// <exception cref="InvalidOperationException">The session is not active.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The deadline is not positive.</exception>
    public bool TryOpenLiveStream(out int streamId, TimeSpan deadline) => ActiveStreams.TryOpenLiveStream(out streamId, deadline);

    /// <summary>Queues one message on a stream (its length, then its bytes), all or nothing.</summary>
    /// <returns><see cref="StreamWriteStatus.BufferFull"/> when it does not fit now; a <see cref="StreamEventKind.Writable"/> event follows.</returns>
    public StreamWriteStatus WriteMessage(int streamId, ReadOnlySpan<byte> message)
    {
        StreamWriteStatus status = ActiveStreams.WriteMessage(streamId, message);
        if (status == StreamWriteStatus.Success)
        {
            _messagesSent++;
        }

        return status;
    }

    /// <summary>Queues raw stream bytes, as many as the send buffer takes.</summary>
    public StreamWriteStatus Write(int streamId, ReadOnlySpan<byte> data, out int bytesWritten) =>
        ActiveStreams.Write(streamId, data, out bytesWritten);

    /// <summary>Starts a message of <paramref name="length"/> bytes whose body follows through <see cref="Write"/>.</summary>
    public StreamWriteStatus BeginMessage(int streamId, int length)
    {
        StreamWriteStatus status = ActiveStreams.BeginMessage(streamId, length);
        if (status == StreamWriteStatus.Success)
        {
            _messagesSent++;
        }

        return status;
    }

    /// <summary>Ends this side's direction of a stream (FIN).</summary>
    public void Finish(int streamId) => ActiveStreams.Finish(streamId);

    /// <summary>Abandons this side's direction of a stream (RESET_STREAM).</summary>
    public void Reset(int streamId, ulong errorCode) => ActiveStreams.Reset(streamId, errorCode);

    /// <summary>Asks the peer to abandon its direction of a stream (STOP_SENDING).</summary>
    public void StopSending(int streamId, ulong errorCode) => ActiveStreams.StopSending(streamId, errorCode);

    /// <summary>Reads the next whole message of a stream into <paramref name="destination"/>.</summary>
    /// <remarks>A message that breaks the stream's rules closes the session and the exception is rethrown.</remarks>
    public StreamReadStatus ReadMessage(int streamId, IBufferWriter<byte> destination, out int messageLength)
    {
        try
        {
            StreamReadStatus status = ActiveStreams.ReadMessage(streamId, destination, out messageLength);
            if (status == StreamReadStatus.Success)
            {
                _messagesReceived++;
            }

            return status;
        }
        catch (ProtocolViolationException violation)
        {
            CloseForViolation(violation);
            throw;
        }
    }

    /// <summary>Reads raw stream bytes in order.</summary>
    public StreamReadStatus Read(int streamId, Span<byte> destination, out int bytesRead) =>
        ActiveStreams.Read(streamId, destination, out bytesRead);

    /// <summary>Takes the next stream event: opened by the peer, readable, writable, stopped, closed, streams available.</summary>
    public bool TryDequeueStreamEvent(out StreamEvent streamEvent)
    {
        if (_streams is null || State == SessionState.Closed)
        {
            streamEvent = default;
            return false;
        }

        return _streams.TryDequeueEvent(out streamEvent);
    }

    /// <summary>The state of a stream; <see cref="StreamState.Closed"/> for one that is gone.</summary>
    public StreamState GetStreamState(int streamId) =>
        _streams is null || State == SessionState.Closed ? StreamState.Closed : _streams.GetState(streamId);

    /// <summary>Details of a live stream.</summary>
    public bool TryGetStreamInfo(int streamId, out StreamInfo info)
    {
        if (_streams is null || State == SessionState.Closed)
        {
            info = default;
            return false;
        }

        return _streams.TryGetStreamInfo(streamId, out info);
    }

    /// <summary>
    /// Whether every stream byte written so far has been sent and acknowledged: nothing queued, nothing in flight.
    /// Always true once the session is not Active. A graceful shutdown waits for it before CLOSE, so responses the
    /// application already wrote reach the peer.
    /// </summary>
    public bool IsSendDrained =>
        State != SessionState.Active || (!_streams!.HasPendingData && (_congestion?.BytesInFlight ?? 0) == 0);

    private StreamManager ActiveStreams
    {
        get
        {
            if (State != SessionState.Active)
            {
                ThrowNotActive();
            }

            return _streams!;
        }
    }

    [DoesNotReturn]
    private void ThrowNotActive() =>
        throw new InvalidOperationException($"The session is {State}; streams are usable only while it is Active.");
}

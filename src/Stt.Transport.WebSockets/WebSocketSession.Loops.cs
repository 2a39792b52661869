using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Stt.Protocol.Sessions;
using Stt.Transport.WebSockets.Internal;

namespace Stt.Transport.WebSockets;

public sealed partial class WebSocketSession
{
    /// <summary>How long a closing session waits for the peer's WebSocket close before disposing the socket anyway.</summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private enum MessageKind
    {
        Binary,
        Text,
        TooLarge,
        Closed,
    }

    /// <summary>
    /// Reads one whole message. Waits with a zero-byte read first, so a buffer of <paramref name="maxFrameSize"/> is
    /// rented only once a message has begun to arrive. A longer message is reported as <see cref="MessageKind.TooLarge"/>
    /// without being read further; a text message as <see cref="MessageKind.Text"/>, unread.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<IncomingMessage> ReceiveMessageAsync(WebSocket socket, int maxFrameSize, CancellationToken cancellationToken)
    {
        ValueWebSocketReceiveResult first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        switch (first.MessageType)
        {
            case WebSocketMessageType.Close:
                return new IncomingMessage(MessageKind.Closed, null, 0);
            case WebSocketMessageType.Text:
                return new IncomingMessage(MessageKind.Text, null, 0);
        }

        if (first.EndOfMessage)
        {
            // An empty binary message: no frame is that short, so the session drops it as malformed.
            return new IncomingMessage(MessageKind.Binary, null, 0);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(maxFrameSize + 1);
        int received = 0;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(received, maxFrameSize + 1 - received), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new IncomingMessage(MessageKind.Closed, null, 0);
                }

                received += result.Count;
                if (received > maxFrameSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new IncomingMessage(MessageKind.TooLarge, null, 0);
                }

                if (result.EndOfMessage)
                {
                    return new IncomingMessage(MessageKind.Binary, buffer, received);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Feeds every binary message to the session until the WebSocket closes or fails, or the session is freed.</summary>
    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        string? failure = null;
        try
        {
            while (true)
            {
                IncomingMessage message = await ReceiveMessageAsync(_socket, _maxFrameSize, _abort.Token).ConfigureAwait(false);
                try
                {
                    if (message.Kind == MessageKind.Closed)
                    {
                        failure = $"The peer closed the WebSocket ({_socket.CloseStatus?.ToString() ?? "no status"}).";
                        return;
                    }

                    if (message.Kind != MessageKind.Binary)
                    {
                        // Section 16: only binary messages carry frames; the connection is not STT and is closed.
                        bool text = message.Kind == MessageKind.Text;
                        WebSocketMetrics.Dropped(text ? WebSocketMetrics.TextMessage : WebSocketMetrics.TooLarge);
                        _closeStatus = text ? WebSocketCloseStatus.InvalidMessageType : WebSocketCloseStatus.MessageTooBig;
                        failure = text ? "The peer sent a text WebSocket message." : "The peer sent a WebSocket message larger than the frame size limit.";
                        return;
                    }

                    WebSocketMetrics.MessagesReceived.Add(1);
                    WebSocketMetrics.BytesReceived.Add(message.Length);
                    lock (SyncRoot)
                    {
                        if (IsFreed)
                        {
                            return;
                        }

                        SessionReceiveStatus status = Protocol.Receive(message.Span);
                        if (status != SessionReceiveStatus.Accepted)
                        {
                            // Dropped as UDP drops a bad datagram: a forged or damaged frame cannot end the session.
                            WebSocketMetrics.Dropped(WebSocketMetrics.For(status));
                        }

                        PumpLocked();
                    }
                }
                finally
                {
                    message.Return();
                }
            }
        }
        catch (OperationCanceledException)
        {
            failure = "The WebSocket was aborted.";
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            failure = $"The WebSocket connection failed: {ex.Message}";
        }
        finally
        {
            if (failure is not null)
            {
                lock (SyncRoot)
                {
                    AbandonLocked(failure);
                }
            }
        }
    }

    /// <summary>
    /// Sends queued frames one at a time; once the session is closed, sends what is left, closes the WebSocket, waits
    /// briefly for the peer's close, and disposes everything.
    /// </summary>
    private async Task SendLoopAsync()
    {
        await Task.Yield();
        try
        {
            while (await _sendQueue.Reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                while (_sendQueue.Reader.TryRead(out QueuedFrame frame))
                {
                    try
                    {
                        await _socket.SendAsync(frame.Buffer.AsMemory(0, frame.Length), WebSocketMessageType.Binary, endOfMessage: true, _abort.Token).ConfigureAwait(false);
                        WebSocketMetrics.MessagesSent.Add(1);
                        WebSocketMetrics.BytesSent.Add(frame.Length);
                    }
                    finally
                    {
                        Interlocked.Add(ref _queuedBytes, -frame.Length);
                        WebSocketMetrics.SendQueueBytes.Add(-frame.Length);
                        QueuedFramePool.Return(frame.Buffer);
                    }
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
                await _socket.CloseOutputAsync(_closeStatus, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            WebSocketMetrics.Dropped(WebSocketMetrics.SendError);
            lock (SyncRoot)
            {
                AbandonLocked($"The WebSocket connection failed while sending: {ex.Message}");
            }
        }

        await TearDownAsync().ConfigureAwait(false);
    }

    private async Task TearDownAsync()
    {
        // The peer answers the close with its own, which ends the receive loop; a peer that does not is cut off.
        long started = Time.GetTimestamp();
        try
        {
            await _receiveTask.WaitAsync(CloseHandshakeTimeout).ConfigureAwait(false);
            if (_socket.State == WebSocketState.CloseSent)
            {
                // The receive loop stopped on a message it refused: read on, discarding, until the peer's close arrives,
                // so the close status is not lost to a reset of a connection with unread bytes.
                TimeSpan left = CloseHandshakeTimeout - Time.GetElapsedTime(started);
                if (left > TimeSpan.Zero)
                {
                    await DrainUntilClosedAsync(left).ConfigureAwait(false);
                }
            }
        }
        catch (TimeoutException)
        {
            // Disposing the socket below ends the receive loop.
        }

        await _abort.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        _socket.Dispose();
        await _receiveTask.ConfigureAwait(false);
        while (_sendQueue.Reader.TryRead(out QueuedFrame frame))
        {
            WebSocketMetrics.SendQueueBytes.Add(-frame.Length);
            QueuedFramePool.Return(frame.Buffer);
        }

        if (_ownsTimers)
        {
            await _timerStop!.CancelAsync().ConfigureAwait(false);
            await _timerTask.ConfigureAwait(false);
            _timers.Dispose();
            _timerStop.Dispose();
        }

        _abort.Dispose();
    }

    private async Task DrainUntilClosedAsync(TimeSpan timeout)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            for (int i = 0; i < 100_000; i++)
            {
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(buffer.AsMemory(), cts.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer is gone or too slow; the socket is disposed next either way.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One received message; <see cref="Buffer"/> is rented from the shared pool until <see cref="Return"/>.</summary>
    private readonly record struct IncomingMessage(MessageKind Kind, byte[]? Buffer, int Length)
    {
        public Span<byte> Span => Buffer is null ? [] : Buffer.AsSpan(0, Length);

        public void Return()
        {
            if (Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }
}

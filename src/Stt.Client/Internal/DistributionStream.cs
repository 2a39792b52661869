using System.Buffers;
using Stt.Protocol.Distribution;
using Stt.Transport;

namespace Stt.Client.Internal;

/// <summary>What <see cref="DistributionStream.ReadAsync"/> found.</summary>
internal enum ServerMessageKind
{
    /// <summary>A DATA message; <see cref="DistributionStream.Message"/> holds it, tag included.</summary>
    Data,

    /// <summary>END, followed by the node finishing its direction.</summary>
    End,
}

/// <summary>
/// One client-opened distribution stream: writes the request, reads and checks the response header, then reads the
/// tagged server messages strictly (docs/distribution.md, sections 1 and 4). Anything malformed resets the stream with
/// MALFORMED (and asks the node to stop with MALFORMED) and throws <see cref="DistributionException"/> with
/// <see cref="DistributionStatus.InternalError"/>.
/// </summary>
internal sealed class DistributionStream
{
    private static readonly TimeSpan FinalMessageWait = TimeSpan.FromSeconds(5);

    private readonly ArrayBufferWriter<byte> _buffer;
    private bool _sendOpen = true;
    private bool _receiveOpen = true;

    private DistributionStream(SttSession session, int streamId, ArrayBufferWriter<byte> buffer)
    {
        Session = session;
        StreamId = streamId;
        _buffer = buffer;
    }

    /// <summary>The session.</summary>
    public SttSession Session { get; }

    /// <summary>The stream.</summary>
    public int StreamId { get; }

    /// <summary>The last message read; valid until the next read.</summary>
    public ReadOnlyMemory<byte> Message => _buffer.WrittenMemory;

    /// <summary>Whether both directions are over: finished, reset, or the node's final message read.</summary>
    public bool IsDone => !_sendOpen && !_receiveOpen;

    /// <summary>
    /// Opens a stream, sends <paramref name="request"/>, optionally finishes this side, and waits for an OK header.
    /// </summary>
    /// <exception cref="DistributionException">The node answered a failure status, or the header is malformed.</exception>
    public static async Task<DistributionStream> OpenAsync(
        SttSession session, DistributionRequest request, bool finish, ArrayBufferWriter<byte>? buffer, CancellationToken ct)
    {
        buffer ??= new ArrayBufferWriter<byte>();
        buffer.ResetWrittenCount();
        DistributionRequestWriter.Write(buffer, request);
        int streamId = await session.OpenStreamAsync(ct).ConfigureAwait(false);
        var stream = new DistributionStream(session, streamId, buffer);
        try
        {
            await session.WriteMessageAsync(streamId, buffer.WrittenMemory, ct).ConfigureAwait(false);
            if (finish)
            {
                stream.FinishSending();
            }

            await stream.ReadHeaderAsync(ct).ConfigureAwait(false);
            return stream;
        }
        catch (Exception ex) when (ex is not DistributionException)
        {
            stream.Abort(DistributionStreamErrorCode.Cancelled);
            throw;
        }
    }

    /// <summary>Reads the next server message after the header.</summary>
    /// <returns><see cref="ServerMessageKind.Data"/> with the message in <see cref="Message"/>, or <see cref="ServerMessageKind.End"/>.</returns>
    /// <exception cref="DistributionException">ERROR, a malformed message, a missing END, data after END, or a
    /// RESET_STREAM with a distribution error code.</exception>
    /// <exception cref="StreamAbortedException">The node reset the stream with a code that is not a distribution code.</exception>
    /// <exception cref="SessionClosedException">The session closed (for example with SLOW_CONSUMER).</exception>
    public async ValueTask<ServerMessageKind> ReadAsync(CancellationToken ct)
    {
        int length = await ReadRawAsync(ct).ConfigureAwait(false);
        if (length == SttSession.EndOfStream)
        {
            throw Malformed("the node finished the stream without END or ERROR");
        }

        ReadOnlySpan<byte> message = _buffer.WrittenSpan;
        if (!ServerMessage.TryReadTag(message, out ServerMessageTag tag, out _))
        {
            throw Malformed("a server message has an unknown tag, or END has trailing bytes");
        }

        switch (tag)
        {
            case ServerMessageTag.Data:
                return ServerMessageKind.Data;
            case ServerMessageTag.End:
                await ExpectFinAsync(ct).ConfigureAwait(false);
                return ServerMessageKind.End;
            default:
                if (!ServerMessage.TryReadError(message, out DistributionStatus status, out ReadOnlySpan<byte> text))
                {
                    throw Malformed("the ERROR message does not parse");
                }

                string serverText = System.Text.Encoding.UTF8.GetString(text);
                await ExpectFinAsync(ct).ConfigureAwait(false);
                throw new DistributionException(Normalise(status), serverText);
        }
    }

    /// <summary>Reads the next message and requires END.</summary>
    /// <exception cref="DistributionException">Anything but END (DATA is malformed here).</exception>
    public async ValueTask ReadEndAsync(string context, CancellationToken ct)
    {
        if (await ReadAsync(ct).ConfigureAwait(false) != ServerMessageKind.End)
        {
            throw Malformed($"{context}: DATA where END was expected");
        }
    }

    /// <summary>Ends this side's direction (FIN) once everything written is sent.</summary>
    public void FinishSending()
    {
        if (_sendOpen)
        {
            _sendOpen = false;
            Session.Finish(StreamId);
        }
    }

    /// <summary>
    /// Abandons what is still open: resets this side's direction and asks the node to stop sending, both with
    /// <paramref name="code"/>. Never throws.
    /// </summary>
    public void Abort(DistributionStreamErrorCode code)
    {
        bool send = _sendOpen;
        bool receive = _receiveOpen;
        _sendOpen = false;
        _receiveOpen = false;
        try
        {
            if (send)
            {
                Session.Reset(StreamId, (ulong)code);
            }

            if (receive)
            {
                Session.StopSending(StreamId, (ulong)code);
            }
        }
        catch (Exception ex) when (ex is SessionClosedException or InvalidOperationException)
        {
            // The session or stream is gone already; nothing is left to abandon.
        }
    }

    /// <summary>
    /// The node sent STOP_SENDING while this side was writing: it follows with ERROR (docs/distribution.md section 5).
    /// Waits briefly for it and returns the exception to throw: the ERROR's status and text, or the stop code alone.
    /// </summary>
    public async Task<Exception> ReadStopReasonAsync(StreamAbortedException stop, string context, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(FinalMessageWait);
        try
        {
            if (await ReadAsync(wait.Token).ConfigureAwait(false) == ServerMessageKind.Data)
            {
                return Malformed($"unexpected DATA on a {context} stream the node stopped");
            }
        }
        catch (DistributionException ex)
        {
            return ex;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // No ERROR came in time: report the STOP_SENDING code alone.
        }
        finally
        {
            Abort(DistributionStreamErrorCode.Cancelled);
        }

        DistributionStatus status = StatusOf(stop.ErrorCode) ?? DistributionStatus.InternalError;
        return new DistributionException(status, $"The node stopped the {context} stream with code 0x{stop.ErrorCode:x}.", stop);
    }

    /// <summary>Abandons the stream with MALFORMED and returns the exception to throw.</summary>
    public DistributionException Malformed(string what)
    {
        Abort(DistributionStreamErrorCode.Malformed);
        return new DistributionException(DistributionStatus.InternalError, $"Malformed server message on stream {StreamId}: {what}.");
    }

    /// <summary>Maps a status the client does not know to <see cref="DistributionStatus.InternalError"/>.</summary>
    public static DistributionStatus Normalise(DistributionStatus status) =>
        status is > DistributionStatus.Ok and <= DistributionStatus.InvalidRange ? status : DistributionStatus.InternalError;

    /// <summary>Maps a RESET_STREAM / STOP_SENDING distribution code to a status; null for other codes.</summary>
    public static DistributionStatus? StatusOf(ulong streamErrorCode) => (DistributionStreamErrorCode)streamErrorCode switch
    {
        DistributionStreamErrorCode.Cancelled => DistributionStatus.InternalError,
        DistributionStreamErrorCode.Malformed => DistributionStatus.MalformedRequest,
        DistributionStreamErrorCode.TooLarge => DistributionStatus.TooLarge,
        DistributionStreamErrorCode.SlowConsumer => DistributionStatus.SlowConsumer,
        DistributionStreamErrorCode.ShuttingDown => DistributionStatus.ShuttingDown,
        DistributionStreamErrorCode.InternalError => DistributionStatus.InternalError,
        _ => null,
    };

    private async ValueTask ReadHeaderAsync(CancellationToken ct)
    {
        int length = await ReadRawAsync(ct).ConfigureAwait(false);
        if (length == SttSession.EndOfStream)
        {
            throw Malformed("the node finished the stream without a response header");
        }

        if (!ResponseHeader.TryRead(_buffer.WrittenSpan, out ResponseHeader header))
        {
            throw Malformed("the response header does not parse");
        }

        if (header.Status != DistributionStatus.Ok)
        {
            // The node sends nothing more and finishes; stop it anyway should it not, and leave the stream.
            await ExpectFinAsync(ct).ConfigureAwait(false);
            throw new DistributionException(Normalise(header.Status), header.Message);
        }
    }

    /// <summary>After END or a failure status the node must finish at once: anything more is malformed.</summary>
    private async ValueTask ExpectFinAsync(CancellationToken ct)
    {
        if (await ReadRawAsync(ct).ConfigureAwait(false) != SttSession.EndOfStream)
        {
            throw Malformed("a message follows END, ERROR or a failure status");
        }

        // The node's direction is over; a direction of ours still open (SUBSCRIBE, a refused PUBLISH) ends with FIN.
        _receiveOpen = false;
        try
        {
            FinishSending();
        }
        catch (Exception ex) when (ex is SessionClosedException or InvalidOperationException)
        {
            // The session or stream is gone already.
        }
    }

    private async ValueTask<int> ReadRawAsync(CancellationToken ct)
    {
        _buffer.ResetWrittenCount();
        try
        {
            return await Session.ReadMessageAsync(StreamId, _buffer, ct).ConfigureAwait(false);
        }
        catch (StreamAbortedException ex) when (StatusOf(ex.ErrorCode) is { } status)
        {
            Abort(DistributionStreamErrorCode.Cancelled);
            throw new DistributionException(status, $"The node reset stream {StreamId} with code 0x{ex.ErrorCode:x}.", ex);
        }
        catch (StreamAbortedException)
        {
            Abort(DistributionStreamErrorCode.Cancelled);
            throw;
        }
        catch (OperationCanceledException)
        {
            Abort(DistributionStreamErrorCode.Cancelled);
            throw;
        }
    }
}

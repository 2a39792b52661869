using Stt.Client.Internal;
using Stt.Protocol.Distribution;
using Stt.Transport;

namespace Stt.Client;

/// <summary>
/// An accepted PUBLISH stream (docs/distribution.md section 3.1): each <see cref="WriteAsync"/> is one channel
/// message. <see cref="CompleteAsync"/> ends publishing gracefully; disposing without completing abandons the stream
/// (RESET_STREAM and STOP_SENDING CANCELLED).
/// </summary>
/// <remarks>Not thread-safe: one write at a time.</remarks>
public sealed class ChannelPublisher : IAsyncDisposable
{
    private readonly DistributionStream _stream;
    private bool _completed;

    internal ChannelPublisher(DistributionStream stream, string channel)
    {
        _stream = stream;
        Channel = channel;
    }

    /// <summary>The channel this publisher writes to.</summary>
    public string Channel { get; }

    /// <summary>The stream carrying the publication.</summary>
    public int StreamId => _stream.StreamId;

    /// <summary>Publishes one message.</summary>
    /// <param name="message">The payload, possibly empty, at most the node's maximum message length; copied before the task completes.</param>
    /// <param name="ct">Stops waiting for send-buffer space; a cancelled write leaves the publisher unusable.</param>
    /// <returns>Completes once the message is in the stream's send buffer.</returns>
    /// <exception cref="DistributionException">The node stopped the stream (for example <see cref="DistributionStatus.TooLarge"/>
    /// for an oversize message), with its ERROR's status and text when it sent one.</exception>
    /// <exception cref="InvalidOperationException">The publisher was completed or disposed.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        try
        {
            await _stream.Session.WriteMessageAsync(_stream.StreamId, message, ct).ConfigureAwait(false);
        }
        catch (StreamAbortedException ex)
        {
            _completed = true;
            throw await _stream.ReadStopReasonAsync(ex, "PUBLISH", ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _completed = true;
            _stream.Abort(DistributionStreamErrorCode.Cancelled);
            throw;
        }
    }

    /// <summary>Ends publishing: sends FIN, then waits for the node's END.</summary>
    /// <param name="ct">Stops waiting; the stream is then abandoned.</param>
    /// <returns>Completes once the node acknowledged the end with END.</returns>
    /// <exception cref="DistributionException">The node answered ERROR, or something malformed.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async Task CompleteAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _completed = true;
        try
        {
            _stream.FinishSending();
            await _stream.ReadEndAsync("PUBLISH", ct).ConfigureAwait(false);
        }
        finally
        {
            _stream.Abort(DistributionStreamErrorCode.Cancelled);
        }
    }

    /// <summary>Abandons the stream unless <see cref="CompleteAsync"/> ran; never throws.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        _completed = true;
        _stream.Abort(DistributionStreamErrorCode.Cancelled);
        return default;
    }
}

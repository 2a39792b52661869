using Stt.Protocol;
using Stt.Server.FanOut;
using Stt.Transport;

namespace Stt.Server.Distribution;

/// <summary>
/// One subscriber stream as the fan-out hub sees it: writes go straight into the session's stream send buffer (the
/// session seals them frame by frame), and a slow consumer under the Disconnect policy closes the session with
/// CLOSE code SLOW_CONSUMER (docs/distribution.md, section 7).
/// </summary>
internal sealed class StreamSubscriberSink(SttSession session, int streamId, string channel, ILogger logger) : ISubscriberSink
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the subscription can no longer deliver (the stream or session failed, or the subscriber was too slow).</summary>
    public Task Ended => _ended.Task;

    /// <summary>Whether the hub dropped the subscriber for being too slow.</summary>
    public bool WasSlow { get; private set; }

    /// <inheritdoc />
    public bool TryWrite(ReadOnlySpan<byte> message)
    {
        try
        {
            // Held until Flush: a pump with several messages queued writes them all, then sends them in shared frames.
            return session.TryWriteMessage(streamId, message, flush: false);
        }
        catch (Exception ex) when (ex is StreamAbortedException or SessionClosedException)
        {
            _ended.TrySetResult();
            throw;
        }
    }

    /// <inheritdoc />
    public void Flush() => session.Flush();

    /// <inheritdoc />
    public async ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await session.WaitWritableAsync(streamId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StreamAbortedException or SessionClosedException)
        {
            _ended.TrySetResult();
            throw;
        }
    }

    /// <inheritdoc />
    public void OnSlowConsumer()
    {
        WasSlow = true;
        RouterLog.SlowConsumer(logger, session.SessionId, channel);
        _ = session.CloseAsync(ProtocolErrorCode.SlowConsumer, "slow consumer");
        _ended.TrySetResult();
    }
}

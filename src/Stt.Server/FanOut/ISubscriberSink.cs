namespace Stt.Server.FanOut;

/// <summary>
/// The transport side of one subscriber, as the fan-out hub sees it. The server implements it over an STT stream;
/// the hub never depends on a session type.
/// </summary>
/// <remarks>
/// Every message handed to <see cref="TryWrite"/> is a whole subscriber message of docs/distribution.md, section 4.3
/// (DATA tag, <c>varint sequence</c>, payload),
/// so the subscriber can see gaps left by <see cref="ChannelOverflowPolicy.SkipToNewest"/>. The hub calls
/// <see cref="TryWrite"/> and <see cref="WaitWritableAsync"/> from one pump at a time per subscription, never
/// concurrently; <see cref="OnSlowConsumer"/> may be called from any thread.
/// </remarks>
public interface ISubscriberSink
{
    /// <summary>Tries to hand one whole message to the subscriber's transport without waiting.</summary>
    /// <param name="message">The message; only valid during the call (the transport copies what it keeps).</param>
    /// <returns><see langword="false"/> when the send buffer is full; the hub waits and retries the same message.</returns>
    /// <remarks>An exception ends the subscription as if the subscriber were gone.</remarks>
    bool TryWrite(ReadOnlySpan<byte> message);

    /// <summary>
    /// Sends what <see cref="TryWrite"/> accepted but held back. A sink may keep accepted messages until this call, so
    /// that messages written in a row share frames; the hub calls it before the pump stops, yields or waits.
    /// </summary>
    /// <remarks>An exception ends the subscription as if the subscriber were gone.</remarks>
    void Flush()
    {
    }

    /// <summary>Completes when <see cref="TryWrite"/> may succeed again.</summary>
    /// <param name="cancellationToken">Cancelled when the subscription ends.</param>
    /// <returns>A task that throws when the subscriber is gone; the hub then ends the subscription.</returns>
    ValueTask WaitWritableAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The hub dropped the subscriber for being too slow under <see cref="ChannelOverflowPolicy.Disconnect"/>; the
    /// server closes it with the documented slow-consumer code. Called once, on a thread-pool thread; must not block.
    /// </summary>
    void OnSlowConsumer();
}

using System.Buffers;
using System.Runtime.CompilerServices;
using Stt.Client.Internal;
using Stt.Protocol.Distribution;
using Stt.Transport;

namespace Stt.Client;

public sealed partial class SttClient
{
    /// <summary>Starts publishing to a live channel (PUBLISH, docs/distribution.md section 3.1).</summary>
    /// <param name="channel">The channel name: 1 to 128 bytes of <c>A-Z a-z 0-9 . _ - /</c> in non-empty segments.</param>
    /// <param name="ct">Abandons the request.</param>
    /// <returns>The publisher, once the node answered OK.</returns>
    /// <exception cref="ArgumentException">The channel name is invalid.</exception>
    /// <exception cref="DistributionException">The node refused (for example <see cref="DistributionStatus.NotAuthorised"/> or
    /// <see cref="DistributionStatus.Busy"/>), or its answer was malformed.</exception>
    /// <exception cref="SessionClosedException">The session closed.</exception>
    public async Task<ChannelPublisher> PublishAsync(string channel, CancellationToken ct = default)
    {
        ValidateChannel(channel);
        DistributionStream stream = await DistributionStream.OpenAsync(
            _session, DistributionRequest.Publish(channel), finish: false, buffer: null, ct).ConfigureAwait(false);
        return new ChannelPublisher(stream, channel);
    }

    /// <summary>
    /// Subscribes to a live channel (SUBSCRIBE, docs/distribution.md section 3.2) and yields its messages in sequence
    /// order until the node ends the channel.
    /// </summary>
    /// <param name="channel">The channel name.</param>
    /// <param name="replay">Start with the oldest message still in the channel's replay buffer rather than the next one published.</param>
    /// <param name="ct">Ends the enumeration.</param>
    /// <returns>
    /// The messages. Each <see cref="ChannelMessage.Payload"/> lies in a receive buffer reused for the whole
    /// subscription, so it is valid only until the next <c>MoveNextAsync</c>; use <see cref="ChannelMessage.ToArray"/> to
    /// keep it. <see cref="ChannelMessage.Skipped"/> reports messages the node's live policy dropped because this
    /// subscriber fell behind. Leaving the enumeration early (break, dispose, cancellation) sends STOP_SENDING CANCELLED.
    /// </returns>
    /// <exception cref="ArgumentException">The channel name is invalid.</exception>
    /// <exception cref="DistributionException">The node refused (<see cref="DistributionStatus.UnknownChannel"/>, ...), sent ERROR,
    /// abandoned the stream (RESET_STREAM SLOW_CONSUMER gives <see cref="DistributionStatus.SlowConsumer"/>), or sent a malformed
    /// message, including a sequence number that does not increase (the stream is then reset with MALFORMED and the status is
    /// <see cref="DistributionStatus.InternalError"/>).</exception>
    /// <exception cref="SessionClosedException">The session closed; a node that cannot keep up with the whole session closes
    /// it with <see cref="Stt.Protocol.ProtocolErrorCode.SlowConsumer"/> (<see cref="SessionClosedException.CloseCode"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired.</exception>
    /// <remarks>The channel name is checked when this is called; the request is sent on the first <c>MoveNextAsync</c>.
    /// <paramref name="ct"/> and the token given to <c>WithCancellation</c> both end the enumeration.</remarks>
    public IAsyncEnumerable<ChannelMessage> SubscribeAsync(string channel, bool replay = false, CancellationToken ct = default)
    {
        ValidateChannel(channel);
        return SubscribeCoreAsync(channel, replay, ct);
    }

    private async IAsyncEnumerable<ChannelMessage> SubscribeCoreAsync(string channel, bool replay, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        DistributionStream stream = await DistributionStream.OpenAsync(
            _session, DistributionRequest.Subscribe(channel, replay ? SubscribeOptions.Replay : SubscribeOptions.None),
            finish: false, buffer, ct).ConfigureAwait(false);
        try
        {
            ulong? previous = null;
            while (await stream.ReadAsync(ct).ConfigureAwait(false) == ServerMessageKind.Data)
            {
                ReadOnlyMemory<byte> message = stream.Message;
                if (!ChannelMessageHeader.TryRead(message.Span, out ulong sequence, out ReadOnlySpan<byte> payload))
                {
                    throw stream.Malformed("a channel message does not parse");
                }

                if (previous is { } last && sequence <= last)
                {
                    throw stream.Malformed($"sequence {sequence} does not increase past {last}");
                }

                ulong skipped = previous is { } before ? sequence - before - 1 : 0;
                previous = sequence;
                yield return new ChannelMessage(sequence, message[(message.Length - payload.Length)..], skipped);
            }
        }
        finally
        {
            // Normal END leaves nothing open; anything else (break, dispose, cancel, failure) unsubscribes.
            stream.Abort(DistributionStreamErrorCode.Cancelled);
        }
    }

    private static void ValidateChannel(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (!ChannelName.IsValid(channel.AsSpan()))
        {
            throw new ArgumentException(
                "A channel name is 1 to 128 bytes of A-Z a-z 0-9 . _ - / forming non-empty segments other than '.' and '..'.",
                nameof(channel));
        }
    }
}

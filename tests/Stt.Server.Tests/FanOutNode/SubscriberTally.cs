using Stt.Client;
using static Stt.Server.Tests.FanOutNode.FanOutNodeHelpers;

namespace Stt.Server.Tests.FanOutNode;

/// <summary>
/// What one subscriber reading with <see cref="SttClient.SubscribeAsync"/> saw: a count, the first sequence, skips,
/// and the first message that broke "payload index i at sequence first + i".
/// </summary>
internal sealed class SubscriberTally
{
    private int _received;

    public int Received => Volatile.Read(ref _received);

    public ulong? FirstSequence { get; private set; }

    public long Skipped { get; private set; }

    public string? Failure { get; private set; }

    /// <summary>Reads until <paramref name="expected"/> messages arrived (the subscription then ends).</summary>
    public async Task ReadAsync(SttClient client, string channel, bool replay, int expected, int firstIndex, int payloadLength, CancellationToken ct)
    {
        await foreach (ChannelMessage message in client.SubscribeAsync(channel, replay, ct))
        {
            int count = _received;
            FirstSequence ??= message.Sequence;
            Skipped += (long)message.Skipped;
            int index = IndexOf(message.Payload.Span);
            if (message.Sequence != FirstSequence.Value + (ulong)count || index != firstIndex + count || message.Payload.Length != payloadLength)
            {
                Failure ??= $"{client.TransportName} subscriber: message #{count} had sequence {message.Sequence} (first {FirstSequence}), index {index} (expected {firstIndex + count}), length {message.Payload.Length}";
            }

            Volatile.Write(ref _received, count + 1);
            if (count + 1 == expected)
            {
                break;
            }
        }
    }
}

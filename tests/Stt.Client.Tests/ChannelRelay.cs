using System.Collections.Concurrent;
using System.Threading.Channels;
using Stt.Protocol.Distribution;
using Stt.Transport;

namespace Stt.Client.Tests;

/// <summary>A PUBLISH -> SUBSCRIBE relay for one channel: sequence numbers from 0, with chosen ones dropped (as a live policy would).</summary>
public sealed class ChannelRelay(string channel)
{
    private readonly ConcurrentBag<Channel<(ulong Sequence, byte[] Payload)>> _subscribers = new();

    public string Channel { get; } = channel;

    /// <summary>Sequence numbers never delivered to subscribers (they still count).</summary>
    public HashSet<ulong> Drop { get; } = new();

    /// <summary>Reject a publish message longer than this with STOP_SENDING TOO_LARGE then ERROR TOO_LARGE.</summary>
    public int MaxMessageLength { get; set; } = int.MaxValue;

    public TaskCompletionSource SubscriberJoined { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>STOP_SENDING codes the subscriber streams received.</summary>
    public TaskCompletionSource<ulong> SubscriberStopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task HandleAsync(NodeStream stream)
    {
        DistributionRequest request = stream.Request;
        if (request.ChannelName != Channel)
        {
            await stream.RefuseAsync(DistributionStatus.UnknownChannel, "no such channel");
            return;
        }

        if (request.Kind == DistributionRequestKind.Publish)
        {
            await PublishAsync(stream);
        }
        else if (request.Kind == DistributionRequestKind.Subscribe)
        {
            await SubscribeAsync(stream);
        }
        else
        {
            await stream.RefuseAsync(DistributionStatus.UnknownKind, "");
        }
    }

    private async Task PublishAsync(NodeStream stream)
    {
        await stream.OkAsync();
        ulong sequence = 0;
        while (await stream.ReadAsync() is { } message)
        {
            if (message.Length > MaxMessageLength)
            {
                stream.Session.StopSending(stream.StreamId, (ulong)DistributionStreamErrorCode.TooLarge);
                await stream.ErrorAsync(DistributionStatus.TooLarge, "message too large");
                return;
            }

            if (!Drop.Contains(sequence))
            {
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Writer.TryWrite((sequence, message));
                }
            }

            sequence++;
        }

        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryComplete();
        }

        await stream.EndAsync();
    }

    private async Task SubscribeAsync(NodeStream stream)
    {
        var queue = System.Threading.Channels.Channel.CreateUnbounded<(ulong Sequence, byte[] Payload)>();
        _subscribers.Add(queue);
        await stream.OkAsync();
        SubscriberJoined.TrySetResult();
        try
        {
            await foreach ((ulong sequence, byte[] payload) in queue.Reader.ReadAllAsync())
            {
                byte[] message = new byte[ChannelMessageHeader.GetLength(sequence) + payload.Length];
                ChannelMessageHeader.TryWrite(message, sequence, out int header);
                payload.CopyTo(message.AsSpan(header));
                await stream.RawAsync(message);
            }

            await stream.EndAsync();
        }
        catch (StreamAbortedException ex)
        {
            SubscriberStopped.TrySetResult(ex.ErrorCode);
        }
    }

    /// <summary>A subscriber handler that sends a message every few milliseconds until the client stops it.</summary>
    public async Task EndlessSubscribeAsync(NodeStream stream)
    {
        await stream.OkAsync();
        try
        {
            for (ulong sequence = 0; sequence < 2000; sequence++)
            {
                byte[] message = new byte[ChannelMessageHeader.GetLength(sequence) + 1];
                ChannelMessageHeader.TryWrite(message, sequence, out _);
                await stream.RawAsync(message);
                await Task.Delay(5);
            }
        }
        catch (StreamAbortedException ex)
        {
            SubscriberStopped.TrySetResult(ex.ErrorCode);
        }
    }
}

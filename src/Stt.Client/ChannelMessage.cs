namespace Stt.Client;

/// <summary>One message of a live channel, as <see cref="SttClient.SubscribeAsync"/> yields it.</summary>
/// <remarks>
/// <see cref="Payload"/> refers to the subscription's reused receive buffer: it is valid only until the enumerator's
/// next <c>MoveNextAsync</c> (or its disposal). Call <see cref="ToArray"/> to keep the bytes longer. Receiving a
/// message allocates nothing.
/// </remarks>
public readonly struct ChannelMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="sequence">The channel sequence number.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="skipped">Messages the node skipped right before this one.</param>
    public ChannelMessage(ulong sequence, ReadOnlyMemory<byte> payload, ulong skipped)
    {
        Sequence = sequence;
        Payload = payload;
        Skipped = skipped;
    }

    /// <summary>The sequence number the node gave this message in its channel (1 for the channel's first message, docs/distribution.md section 4.3).</summary>
    public ulong Sequence { get; }

    /// <summary>The published bytes, possibly empty; valid until the next <c>MoveNextAsync</c>.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// How many messages the node's live policy skipped right before this one because the subscriber fell behind (the
    /// gap in sequence numbers); 0 for the first message of a subscription.
    /// </summary>
    public ulong Skipped { get; }

    /// <summary>Copies the payload into a new array that stays valid after the enumeration moves on.</summary>
    /// <returns>The payload bytes.</returns>
    public byte[] ToArray() => Payload.ToArray();
}

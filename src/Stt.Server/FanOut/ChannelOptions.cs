namespace Stt.Server.FanOut;

/// <summary>Per-channel settings of the fan-out hub (a default in <see cref="ChannelHubOptions"/> plus per-name overrides).</summary>
/// <remarks>
/// Memory bound: a subscriber's queue holds at most <see cref="SubscriberQueueLimitBytes"/> bytes of encoded messages
/// (sequence varint + payload; the message the pump is writing counts until it is written); a channel's replay buffer
/// holds at most <see cref="ReplayMessages"/> messages and <see cref="ReplayBytes"/> bytes. Queued and replayed
/// messages share one pooled buffer each, so a channel pins at most
/// <c>ReplayBytes + subscribers x SubscriberQueueLimitBytes</c> bytes of payload (plus ArrayPool rounding).
/// </remarks>
public sealed class ChannelOptions
{
    /// <summary>Overflow policy for slow subscribers; default <see cref="ChannelOverflowPolicy.SkipToNewest"/>.</summary>
    public ChannelOverflowPolicy Policy { get; init; } = ChannelOverflowPolicy.SkipToNewest;

    /// <summary>Largest number of encoded bytes queued for one subscriber; default 256 KiB.</summary>
    public int SubscriberQueueLimitBytes { get; init; } = 256 * 1024;

    /// <summary>Messages kept for late joiners (0 disables replay); default 64.</summary>
    public int ReplayMessages { get; init; } = 64;

    /// <summary>Encoded bytes kept for late joiners; default 256 KiB; at most <see cref="SubscriberQueueLimitBytes"/>.</summary>
    public int ReplayBytes { get; init; } = 256 * 1024;

    /// <summary>Largest payload <see cref="LiveChannel.Publish"/> accepts; default 64 KiB.</summary>
    public int MaxMessageLength { get; init; } = 64 * 1024;

    /// <summary>
    /// Node IDs (hex, case-insensitive) allowed to publish; <see langword="null"/> (the default) lets any
    /// authenticated peer publish, an empty list lets nobody.
    /// </summary>
    public IReadOnlyCollection<string>? AllowedPublishers { get; init; }

    private HashSet<string>? _allowedPublisherSet;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A limit is negative or zero where it must be positive, the replay bytes exceed the queue limit, or a maximal
    /// message (with an 8-byte sequence varint) would not fit in a subscriber queue.
    /// </exception>
    /// <exception cref="ArgumentException">An allowed publisher is not a hex string.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Policy))
        {
            throw new ArgumentOutOfRangeException(nameof(Policy), Policy, "Unknown overflow policy.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SubscriberQueueLimitBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(ReplayMessages);
        ArgumentOutOfRangeException.ThrowIfNegative(ReplayBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMessageLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReplayBytes, SubscriberQueueLimitBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)MaxMessageLength + 8, SubscriberQueueLimitBytes, nameof(MaxMessageLength));
        if (AllowedPublishers is not null)
        {
            foreach (string id in AllowedPublishers)
            {
                if (string.IsNullOrEmpty(id) || id.Length % 2 != 0 || !id.All(char.IsAsciiHexDigit))
                {
                    throw new ArgumentException($"Allowed publisher '{id}' is not a hex node ID.", nameof(AllowedPublishers));
                }
            }
        }
    }

    /// <summary>Whether <paramref name="peerNodeId"/> passes <see cref="AllowedPublishers"/> (see <see cref="ChannelHub.CanPublish"/>).</summary>
    internal bool AllowsPublisher(ReadOnlySpan<byte> peerNodeId)
    {
        if (AllowedPublishers is null)
        {
            return true;
        }

        HashSet<string> set = _allowedPublisherSet ??= new HashSet<string>(AllowedPublishers, StringComparer.OrdinalIgnoreCase);
        if (set.Count == 0)
        {
            return false;
        }

        Span<char> hex = peerNodeId.Length <= 64 ? stackalloc char[128] : new char[peerNodeId.Length * 2];
        if (!Convert.TryToHexString(peerNodeId, hex, out int written))
        {
            return false;
        }

        return set.GetAlternateLookup<ReadOnlySpan<char>>().Contains(hex[..written]);
    }
}

namespace Stt.Server.FanOut;

/// <summary>Settings of the node's <see cref="ChannelHub"/>.</summary>
public sealed class ChannelHubOptions
{
    /// <summary>Longest channel name, in UTF-16 code units.</summary>
    public const int MaxChannelNameLength = 256;

    /// <summary>Most channels the hub holds at once; creating another fails. Default 10,000.</summary>
    public int MaxChannels { get; init; } = 10_000;

    /// <summary>Options of channels without an override.</summary>
    public ChannelOptions DefaultChannel { get; init; } = new();

    /// <summary>
    /// Per-channel overrides, by exact name or by prefix pattern ending in <c>*</c> (<c>"video/*"</c>). An exact name
    /// wins over patterns; among patterns the longest prefix wins; <c>"*"</c> matches every channel.
    /// </summary>
    public IReadOnlyDictionary<string, ChannelOptions> ChannelOverrides { get; init; } = new Dictionary<string, ChannelOptions>();

    /// <summary>Validates the hub settings and every channel option.</summary>
    /// <exception cref="ArgumentException">Any setting is out of range (see <see cref="ChannelOptions.Validate"/>).</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxChannels);
        ArgumentNullException.ThrowIfNull(DefaultChannel);
        ArgumentNullException.ThrowIfNull(ChannelOverrides);
        DefaultChannel.Validate();
        foreach (KeyValuePair<string, ChannelOptions> pair in ChannelOverrides)
        {
            ArgumentException.ThrowIfNullOrEmpty(pair.Key, nameof(ChannelOverrides));
            ArgumentNullException.ThrowIfNull(pair.Value, nameof(ChannelOverrides));
            pair.Value.Validate();
        }
    }

    /// <summary>The options that apply to <paramref name="channel"/>.</summary>
    internal ChannelOptions Resolve(string channel)
    {
        if (ChannelOverrides.TryGetValue(channel, out ChannelOptions? exact))
        {
            return exact;
        }

        ChannelOptions? best = null;
        int bestLength = -1;
        foreach (KeyValuePair<string, ChannelOptions> pair in ChannelOverrides)
        {
            string key = pair.Key;
            if (key.EndsWith('*'))
            {
                int prefixLength = key.Length - 1;
                if (prefixLength > bestLength && channel.AsSpan().StartsWith(key.AsSpan(0, prefixLength), StringComparison.Ordinal))
                {
                    best = pair.Value;
                    bestLength = prefixLength;
                }
            }
        }

        return best ?? DefaultChannel;
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Stt.Server.Configuration;
using Stt.Server.Content;
using Stt.Server.FanOut;
using Stt.Server.Identity;

namespace Stt.Server.Hosting;

/// <summary>Builds the content store and the channel hub from <see cref="NodeOptions"/>.</summary>
internal static class NodeComponents
{
    /// <summary>The content store in <c>content/</c> under the data folder.</summary>
    public static ContentStore CreateContentStore(IServiceProvider services)
    {
        NodeOptions options = services.GetRequiredService<IOptions<NodeOptions>>().Value;
        NodeSecrets secrets = services.GetRequiredService<NodeSecrets>();
        return new ContentStore(
            new ContentStoreOptions
            {
                RootDirectory = Path.Combine(secrets.DataDirectory, "content"),
                ChunkSize = options.Content.ChunkSize,
                MaxContentLength = options.Content.MaxContentLength,
            },
            services.GetRequiredService<ILogger<ContentStore>>(),
            new ContentMetrics(services.GetRequiredService<IMeterFactory>()));
    }

    /// <summary>The channel hub with the configured defaults for every channel.</summary>
    public static ChannelHub CreateChannelHub(IServiceProvider services)
    {
        ChannelSettings settings = services.GetRequiredService<IOptions<NodeOptions>>().Value.Channels;
        return new ChannelHub(new ChannelHubOptions
        {
            MaxChannels = settings.MaxChannels,
            DefaultChannel = new ChannelOptions
            {
                Policy = settings.Policy == SlowSubscriberPolicy.Disconnect ? ChannelOverflowPolicy.Disconnect : ChannelOverflowPolicy.SkipToNewest,
                SubscriberQueueLimitBytes = settings.SubscriberQueueBytes,
                ReplayMessages = settings.ReplayMessages,
                ReplayBytes = settings.ReplayBytes,
                MaxMessageLength = settings.MaxMessageLength,
                AllowedPublishers = settings.Publishers.Count == 0 ? null : [.. settings.Publishers],
            },
        },
        services.GetRequiredService<IMeterFactory>());
    }
}

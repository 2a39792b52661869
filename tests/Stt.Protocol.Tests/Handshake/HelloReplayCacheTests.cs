using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Handshake;
using Xunit;

namespace Stt.Protocol.Tests.Handshake;

public sealed class HelloReplayCacheTests
{
    [Fact]
    public void TryAdd_SameKeyTwice_SecondIsReplay()
    {
        var cache = new HelloReplayCache(HandshakeOptions.Default, new FakeTimeProvider());
        byte[] key = HandshakeTestKit.Filled(7);

        Assert.Equal(HandshakeStatus.Continue, cache.TryAdd(key));
        Assert.Equal(HandshakeStatus.Replay, cache.TryAdd(key));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void TryAdd_EntryAtExactlyTwiceTheWindow_IsStillLive()
    {
        var time = new FakeTimeProvider();
        var cache = new HelloReplayCache(new HandshakeOptions { FreshnessWindow = TimeSpan.FromSeconds(30) }, time);
        byte[] key = HandshakeTestKit.Filled(7);
        cache.TryAdd(key);

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(HandshakeStatus.Replay, cache.TryAdd(key));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(HandshakeStatus.Continue, cache.TryAdd(key));
    }

    [Fact]
    public async Task TryAdd_ConcurrentDistinctKeys_AllAdmittedUpToCapacity()
    {
        var cache = new HelloReplayCache(new HandshakeOptions { ReplayCacheCapacity = 1000 }, new FakeTimeProvider());
        var results = new HandshakeStatus[1200];

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(
            () =>
            {
                for (int i = worker; i < results.Length; i += 4)
                {
                    var key = new byte[32];
                    BitConverter.TryWriteBytes(key, i);
                    results[i] = cache.TryAdd(key);
                }
            },
            TestContext.Current.CancellationToken)));

        Assert.Equal(1000, results.Count(r => r == HandshakeStatus.Continue));
        Assert.Equal(200, results.Count(r => r == HandshakeStatus.ReplayCacheFull));
        Assert.Equal(1000, cache.Count);
    }
}

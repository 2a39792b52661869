using System.Diagnostics;
using Stt.Transport;
using Xunit;

namespace Stt.Server.Tests.Operations;

/// <summary>Waits until a content fetch is visibly under way: its session has received some bytes since it started.</summary>
internal static class FetchProbe
{
    /// <summary>Returns once <paramref name="session"/> received <paramref name="bytes"/> more than <paramref name="baseline"/>, or the fetch ended (bounded by 30 s).</summary>
    public static async Task WaitUntilReceivingAsync(SttSession session, long baseline, long bytes, Task fetch)
    {
        var watch = Stopwatch.StartNew();
        while (!fetch.IsCompleted && session.Statistics.BytesReceived - baseline < bytes)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail("The fetch received nothing for 30 s");
            }

            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }
}

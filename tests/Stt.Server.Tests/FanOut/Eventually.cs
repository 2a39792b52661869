using System.Diagnostics;
using Xunit;

namespace Stt.Server.Tests.FanOut;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="seconds"/> pass; fails with <paramref name="what"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, double seconds = 30)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed.TotalSeconds > seconds)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(2, TestContext.Current.CancellationToken);
        }
    }
}

using Stt.Protocol.Recovery.Congestion;
using Xunit;

namespace Stt.Protocol.Tests.Recovery.Congestion;

public sealed class CongestionSimulationTests
{
    // 1,000 frames per second; with a 20 ms base RTT (21 ms with serialization) the path holds about 21 frames, and
    // the 32-frame drop-tail buffer is about 1.5 times that.
    private const long LinkBytesPerSecond = 1_200_000;
    private const int BufferPackets = 32;
    private static readonly TimeSpan BaseRtt = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Run_BulkSenderThroughDropTailBottleneck_UsesAtLeast85PercentOfTheLinkWithoutCollapse(bool pacing)
    {
        var simulation = new BottleneckSimulation(LinkBytesPerSecond, BaseRtt, BufferPackets, pacing);

        simulation.Run(Duration);

        double utilisation = simulation.BytesDelivered / (LinkBytesPerSecond * Duration.TotalSeconds);
        double lastSecondUtilisation = simulation.BytesDeliveredInLastSecond / (double)LinkBytesPerSecond;
        Assert.InRange(utilisation, 0.85, 1.0);
        Assert.InRange(lastSecondUtilisation, 0.85, 1.0);
        Assert.False(simulation.PersistentCongestion);
        Assert.InRange(simulation.FramesDropped, 1, simulation.FramesSent / 50);
        Assert.InRange(simulation.PeakQueue, 1, BufferPackets);
        Assert.InRange(simulation.FinalCongestionWindow, CongestionOptions.Default.MinimumWindow, (BufferPackets + 22) * BottleneckSimulation.FrameSize);
    }

    [Fact]
    public void Run_WithPacing_NeverHandsTheNetworkMoreThanOneBurstAtOnce()
    {
        var simulation = new BottleneckSimulation(LinkBytesPerSecond, BaseRtt, BufferPackets, pacing: true);

        simulation.Run(Duration);

        Assert.InRange(simulation.LargestBurst, 1, CongestionOptions.Default.PacingBurstPackets);
    }
}

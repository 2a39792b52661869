using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    [Fact]
    public void OnDataAcked_FinOnlyFrameAckedBeforeTheDataBeforeIt_IsRecordedAndTheDataAckStillFreesTheBuffer()
    {
        // Found by the impaired two-process test: the ACK for a FIN-only frame overtook the ACK for the data before
        // it, and the send half looked up an acknowledged range that an empty frame never adds.
        using var local = new StreamManager(SessionRole.Initiator);
        int streamId = Open(local);
        local.Write(streamId, [1, 2, 3], out _);
        Assert.True(TryTakeData(local, 100, out StreamChunk data, out _));
        local.Finish(streamId);
        Assert.True(TryTakeData(local, 100, out StreamChunk fin, out _));
        Assert.Equal(0, fin.Length);
        Assert.True(fin.Fin);

        local.OnDataAcked(streamId, fin.Offset, fin.Length, fin.Fin);
        local.OnDataAcked(streamId, data.Offset, data.Length, data.Fin);

        Assert.False(local.HasPendingData);
        Assert.False(TryTakeData(local, 100, out _, out _));
    }
}

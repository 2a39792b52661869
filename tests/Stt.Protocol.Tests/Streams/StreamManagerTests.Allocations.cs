using Stt.Protocol.Streams;
using Xunit;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    [Fact]
    public void HotPaths_SteadyStateTransfer_AllocateNothing()
    {
        using var sender = new StreamManager(SessionRole.Initiator);
        using var receiver = new StreamManager(SessionRole.Responder);
        int streamId = Open(sender);
        byte[] data = new byte[8192];
        byte[] payload = new byte[1200];
        byte[] readBuffer = new byte[8192];
        Transfer(2_000_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Transfer(2_000_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        void Transfer(int bytes)
        {
            for (int moved = 0; moved < bytes;)
            {
                sender.Write(streamId, data, out _);
                while (sender.TryGetNextData(payload, out StreamChunk chunk))
                {
                    receiver.OnData(streamId, chunk.Offset, payload.AsSpan(chunk.DataStart, chunk.Length), chunk.Fin);
                    sender.OnDataAcked(streamId, chunk.Offset, chunk.Length, chunk.Fin);
                }

                while (receiver.TryDequeueEvent(out _))
                {
                }

                while (receiver.Read(streamId, readBuffer, out int read) == StreamReadStatus.Success)
                {
                    moved += read;
                }

                while (receiver.TryGetPendingControl(out StreamControlItem item))
                {
                    if (item.Kind == StreamControlKind.MaxData)
                    {
                        sender.OnMaxData(item.Value);
                    }
                    else
                    {
                        sender.OnMaxStreamData(item.StreamId, item.Value);
                    }
                }
            }
        }
    }
}

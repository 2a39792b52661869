using Stt.Protocol.Distribution;
using Xunit;

namespace Stt.Protocol.Tests.Distribution;

/// <summary>The per-message codecs (channel messages, chunks, tags, END, ERROR, headers as spans) allocate nothing.</summary>
public class DistributionAllocationTests
{
    [Fact]
    public void PerMessageCodecs_AllocateNothing()
    {
        byte[] buffer = new byte[512];
        byte[] header = [0x04, 0x03, (byte)'a', (byte)'b', (byte)'c'];
        var id = ContentId.FromHash(new byte[32]);
        Run(buffer, header, id, 10); // warm up (JIT, statics)

        long before = GC.GetAllocatedBytesForCurrentThread();
        ulong total = Run(buffer, header, id, 1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0UL, total);
    }

    private static ulong Run(byte[] buffer, byte[] header, ContentId id, int count)
    {
        ulong total = 0;
        for (int i = 0; i < count; i++)
        {
            Check(ChannelMessageHeader.TryWrite(buffer, (ulong)i * 1_000_003, out int written));
            Check(ChannelMessageHeader.TryRead(buffer.AsSpan(0, written + 10), out ulong sequence, out ReadOnlySpan<byte> payload));
            total += sequence + (ulong)payload.Length;
            Check(ChunkMessage.TryWriteHeader(buffer, (ulong)i, out written));
            Check(ChunkMessage.TryRead(buffer.AsSpan(0, written + 100), out ulong index, out ReadOnlySpan<byte> chunk));
            total += index + (ulong)chunk.Length;
            Check(ServerMessage.TryReadTag(buffer.AsSpan(0, 3), out _, out _));
            Check(ServerMessage.TryWriteEnd(buffer, out _));
            Check(ServerMessage.TryWriteError(buffer, DistributionStatus.SlowConsumer, "slow consumer", out written));
            Check(ServerMessage.TryReadError(buffer.AsSpan(0, written), out _, out _));
            Check(ResponseHeader.TryRead(header, out DistributionStatus status, out _));
            total += (ulong)status;
            Check(ServerMessage.TryWriteStored(buffer, id));
            Check(ServerMessage.TryReadStored(buffer.AsSpan(0, ServerMessage.StoredLength), out ContentId read));
            Check(id == read);
        }

        return total;
    }

    // Assert.True/Equal may allocate (boxing, messages); this check does not.
    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Codec check failed.");
        }
    }
}

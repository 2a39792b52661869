using System.Buffers;

namespace Stt.Testing.Buffers;

/// <summary>A linked segment for building multi-segment <see cref="ReadOnlySequence{T}"/> instances in tests.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}

using System.Buffers;

namespace Stt.Protocol.Fuzz;

/// <summary>Links two buffers into a two-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class FuzzSegment : ReadOnlySequenceSegment<byte>
{
    private FuzzSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Join(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
    {
        var head = new FuzzSegment(first, 0);
        var tail = new FuzzSegment(second, first.Length);
        head.Next = tail;
        return new ReadOnlySequence<byte>(head, 0, tail, second.Length);
    }
}

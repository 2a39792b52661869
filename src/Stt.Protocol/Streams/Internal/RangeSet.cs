using System.Diagnostics;

namespace Stt.Protocol.Streams.Internal;

/// <summary>
/// A set of stream offsets kept as sorted, disjoint, non-adjacent half-open ranges [start, end).
/// </summary>
/// <remarks>
/// Used on the send side for acknowledged and lost ranges. Both only ever hold ranges of frames this side sent, so
/// the count is bounded by the frames in flight; the arrays grow by doubling and are kept for reuse.
/// </remarks>
internal sealed class RangeSet
{
    private ulong[] _starts = [];
    private ulong[] _ends = [];
    private int _count;

    public int Count => _count;

    public bool IsEmpty => _count == 0;

    public ulong StartAt(int index)
    {
        Debug.Assert((uint)index < (uint)_count);
        return _starts[index];
    }

    public ulong EndAt(int index)
    {
        Debug.Assert((uint)index < (uint)_count);
        return _ends[index];
    }

    /// <summary>Index of the first range whose end is above <paramref name="offset"/>, or <see cref="Count"/>.</summary>
    public int FirstEndingAfter(ulong offset)
    {
        int low = 0;
        int high = _count;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (_ends[middle] > offset)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    public void Add(ulong start, ulong end)
    {
        if (start >= end)
        {
            return;
        }

        // Ranges touching [start, end), including adjacent ones, merge into one.
        int first = start == 0 ? 0 : FirstEndingAfter(start - 1);
        int last = first;
        while (last < _count && _starts[last] <= end)
        {
            start = Math.Min(start, _starts[last]);
            end = Math.Max(end, _ends[last]);
            last++;
        }

        int merged = last - first;
        if (merged == 0)
        {
            InsertAt(first, start, end);
            return;
        }

        _starts[first] = start;
        _ends[first] = end;
        RemoveRange(first + 1, merged - 1);
    }

    public void Remove(ulong start, ulong end)
    {
        if (start >= end)
        {
            return;
        }

        int index = FirstEndingAfter(start);
        while (index < _count && _starts[index] < end)
        {
            ulong rangeStart = _starts[index];
            ulong rangeEnd = _ends[index];
            if (rangeStart < start && rangeEnd > end)
            {
                _ends[index] = start;
                InsertAt(index + 1, end, rangeEnd);
                return;
            }

            if (rangeStart < start)
            {
                _ends[index] = start;
                index++;
            }
            else if (rangeEnd > end)
            {
                _starts[index] = end;
                return;
            }
            else
            {
                RemoveRange(index, 1);
            }
        }
    }

    public void Clear() => _count = 0;

    private void InsertAt(int index, ulong start, ulong end)
    {
        if (_count == _starts.Length)
        {
            int capacity = Math.Max(4, _count * 2);
            Array.Resize(ref _starts, capacity);
            Array.Resize(ref _ends, capacity);
        }

        if (index < _count)
        {
            Array.Copy(_starts, index, _starts, index + 1, _count - index);
            Array.Copy(_ends, index, _ends, index + 1, _count - index);
        }

        _starts[index] = start;
        _ends[index] = end;
        _count++;
    }

    private void RemoveRange(int index, int count)
    {
        if (count == 0)
        {
            return;
        }

        int tail = _count - index - count;
        if (tail > 0)
        {
            Array.Copy(_starts, index + count, _starts, index, tail);
            Array.Copy(_ends, index + count, _ends, index, tail);
        }

        _count -= count;
    }
}

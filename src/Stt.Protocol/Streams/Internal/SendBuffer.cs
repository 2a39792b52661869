using System.Diagnostics;

namespace Stt.Protocol.Streams.Internal;

/// <summary>
/// The bytes of one stream from the lowest unacknowledged offset to the end of what the application wrote, in a ring
/// of pooled segments.
/// </summary>
/// <remarks>
/// Segment <c>n</c> (offsets <c>n × SegmentSize</c> onwards) lives in slot <c>n mod slots</c>. The held span never
/// exceeds the send-buffer limit, so <see cref="SegmentPool.SlotsFor"/> slots never collide. Segments are rented on
/// the first write into them and returned as soon as acknowledgements move past them.
/// </remarks>
internal sealed class SendBuffer : IDisposable
{
    private readonly int _slotCount;
    private byte[]?[]? _slots;
    private ulong _start;
    private ulong _end;

    public SendBuffer(int capacity)
    {
        _slotCount = SegmentPool.SlotsFor(capacity);
    }

    /// <summary>Lowest offset still held.</summary>
    public ulong Start => _start;

    /// <summary>Offset after the last byte written.</summary>
    public ulong End => _end;

    public void Append(ReadOnlySpan<byte> data)
    {
        _slots ??= new byte[]?[_slotCount];
        while (!data.IsEmpty)
        {
            int slot = SlotOf(_end);
            byte[] segment = _slots[slot] ??= SegmentPool.RentSegment();
            int within = (int)(_end % SegmentPool.SegmentSize);
            int count = Math.Min(SegmentPool.SegmentSize - within, data.Length);
            data[..count].CopyTo(segment.AsSpan(within));
            data = data[count..];
            _end += (ulong)count;
        }
    }

    public void CopyTo(ulong offset, Span<byte> destination)
    {
        Debug.Assert(offset >= _start && offset + (ulong)destination.Length <= _end);
        while (!destination.IsEmpty)
        {
            byte[] segment = _slots![SlotOf(offset)]!;
            int within = (int)(offset % SegmentPool.SegmentSize);
            int count = Math.Min(SegmentPool.SegmentSize - within, destination.Length);
            segment.AsSpan(within, count).CopyTo(destination);
            destination = destination[count..];
            offset += (ulong)count;
        }
    }

    /// <summary>Drops everything below <paramref name="offset"/>, returning segments that no longer hold a byte.</summary>
    public void ReleaseTo(ulong offset)
    {
        Debug.Assert(offset >= _start && offset <= _end);
        ulong firstSegment = _start / SegmentPool.SegmentSize;
        ulong keptSegment = offset / SegmentPool.SegmentSize;
        for (ulong segment = firstSegment; segment < keptSegment; segment++)
        {
            ReturnSlot((int)(segment % (ulong)_slotCount));
        }

        _start = offset;
    }

    public void Dispose()
    {
        if (_slots is not null)
        {
            for (int slot = 0; slot < _slots.Length; slot++)
            {
                ReturnSlot(slot);
            }
        }

        _start = _end;
    }

    private int SlotOf(ulong offset) => (int)(offset / SegmentPool.SegmentSize % (ulong)_slotCount);

    private void ReturnSlot(int slot)
    {
        byte[]? segment = _slots?[slot];
        if (segment is not null)
        {
            _slots![slot] = null;
            SegmentPool.ReturnSegment(segment);
        }
    }
}

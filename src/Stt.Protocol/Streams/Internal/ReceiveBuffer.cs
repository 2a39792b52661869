using System.Diagnostics;
using System.Numerics;

namespace Stt.Protocol.Streams.Internal;

/// <summary>
/// The reorder buffer of one stream: bytes from the read offset up to the flow-control limit, in a ring of pooled
/// segments, with one bit per byte recording what has arrived.
/// </summary>
/// <remarks>
/// The caller guarantees every byte written lies below <c>ReadOffset + window</c> (the advertised limit never runs
/// further ahead), so <see cref="SegmentPool.SlotsFor"/>(window) slots never collide. A bitmap rather than a list of
/// received ranges keeps the bookkeeping bounded (window / 8 bytes) however a hostile peer fragments its data.
/// Segments are rented on the first byte that lands in them and returned once the reader has passed them.
/// </remarks>
internal sealed class ReceiveBuffer : IDisposable
{
    private readonly int _slotCount;
    private byte[]?[]? _data;
    private ulong[]?[]? _bits;
    private ulong _readOffset;
    private ulong _contiguousEnd;
    private ulong _highestWritten;
    private long _bufferedBytes;

    public ReceiveBuffer(int window)
    {
        _slotCount = SegmentPool.SlotsFor(window);
    }

    /// <summary>Offset of the next byte the reader gets.</summary>
    public ulong ReadOffset => _readOffset;

    /// <summary>Every byte below this offset has arrived.</summary>
    public ulong ContiguousEnd => _contiguousEnd;

    /// <summary>Bytes that arrived at or above <see cref="ReadOffset"/>, in order or not.</summary>
    public long BufferedBytes => _bufferedBytes;

    /// <summary>Bytes readable now, in order.</summary>
    public int Available => (int)(_contiguousEnd - _readOffset);

    /// <summary>Stores the part of a frame not already received.</summary>
    /// <returns>Whether <see cref="ContiguousEnd"/> moved, making more bytes readable.</returns>
    public bool Write(ulong offset, ReadOnlySpan<byte> data)
    {
        ulong end = offset + (ulong)data.Length;
        if (end <= _contiguousEnd)
        {
            return false;
        }

        if (offset < _contiguousEnd)
        {
            data = data[(int)(_contiguousEnd - offset)..];
            offset = _contiguousEnd;
        }

        Debug.Assert(end - _readOffset <= (ulong)((_slotCount - 1) * SegmentPool.SegmentSize));
        _data ??= new byte[]?[_slotCount];
        _bits ??= new ulong[]?[_slotCount];
        ulong position = offset;
        while (!data.IsEmpty)
        {
            int slot = SlotOf(position);
            byte[] segment = _data[slot] ??= SegmentPool.RentSegment();
            ulong[] bitmap = _bits[slot] ??= SegmentPool.RentBitmap();
            int within = (int)(position % SegmentPool.SegmentSize);
            int count = Math.Min(SegmentPool.SegmentSize - within, data.Length);
            data[..count].CopyTo(segment.AsSpan(within));
            _bufferedBytes += MarkReceived(bitmap, within, count);
            data = data[count..];
            position += (ulong)count;
        }

        _highestWritten = Math.Max(_highestWritten, end);
        if (offset != _contiguousEnd)
        {
            return false;
        }

        AdvanceContiguousEnd();
        return true;
    }

    /// <summary>Copies readable bytes without consuming them.</summary>
    public int Peek(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, Available);
        CopyOut(_readOffset, destination[..count]);
        return count;
    }

    /// <summary>Copies and consumes readable bytes.</summary>
    public int Read(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, Available);
        CopyOut(_readOffset, destination[..count]);
        Consume(count);
        return count;
    }

    /// <summary>Consumes readable bytes without copying them.</summary>
    public void Skip(int count)
    {
        Debug.Assert(count <= Available);
        Consume(count);
    }

    /// <summary>Drops every byte below <paramref name="offset"/>, arrived or not, and reads on from there.</summary>
    /// <remarks>
    /// Bytes that arrive later below the offset are ignored like duplicates. The caller guarantees the offset lies within
    /// the window (its flow-control limit), as for <see cref="Write"/>.
    /// </remarks>
    public void DiscardTo(ulong offset)
    {
        Debug.Assert(offset > _readOffset);
        if (_data is not null)
        {
            _bufferedBytes -= CountReceived(_readOffset, Math.Min(offset, _highestWritten));
        }

        ulong firstSegment = _readOffset / SegmentPool.SegmentSize;
        ulong keptSegment = offset / SegmentPool.SegmentSize;
        for (ulong segment = firstSegment; segment < keptSegment && _data is not null; segment++)
        {
            ReturnSlot((int)(segment % (ulong)_slotCount));
        }

        _readOffset = offset;
        if (_contiguousEnd < offset)
        {
            _contiguousEnd = offset;
            _highestWritten = Math.Max(_highestWritten, offset);
            if (_bits is not null)
            {
                AdvanceContiguousEnd();
            }
        }
    }

    /// <summary>Drops every byte and releases all segments; nothing is stored afterwards.</summary>
    public void Dispose()
    {
        for (int slot = 0; slot < _slotCount && _data is not null; slot++)
        {
            ReturnSlot(slot);
        }

        _bufferedBytes = 0;
        _readOffset = _contiguousEnd = Math.Max(_contiguousEnd, _highestWritten);
    }

    private static int MarkReceived(ulong[] bitmap, int start, int count)
    {
        int newlyMarked = 0;
        int end = start + count;
        while (start < end)
        {
            int word = start >> 6;
            int bit = start & 63;
            int bits = Math.Min(64 - bit, end - start);
            ulong mask = (bits == 64 ? ulong.MaxValue : ((1UL << bits) - 1)) << bit;
            newlyMarked += BitOperations.PopCount(mask & ~bitmap[word]);
            bitmap[word] |= mask;
            start += bits;
        }

        return newlyMarked;
    }

    private long CountReceived(ulong start, ulong end)
    {
        long count = 0;
        while (start < end)
        {
            int within = (int)(start % SegmentPool.SegmentSize);
            int length = (int)Math.Min((ulong)(SegmentPool.SegmentSize - within), end - start);
            if (_bits![SlotOf(start)] is { } bitmap)
            {
                count += CountMarked(bitmap, within, length);
            }

            start += (ulong)length;
        }

        return count;
    }

    private static int CountMarked(ulong[] bitmap, int start, int count)
    {
        int marked = 0;
        int end = start + count;
        while (start < end)
        {
            int bit = start & 63;
            int bits = Math.Min(64 - bit, end - start);
            ulong mask = (bits == 64 ? ulong.MaxValue : ((1UL << bits) - 1)) << bit;
            marked += BitOperations.PopCount(mask & bitmap[start >> 6]);
            start += bits;
        }

        return marked;
    }

    private void AdvanceContiguousEnd()
    {
        ulong position = _contiguousEnd;
        while (position < _highestWritten)
        {
            ulong[]? bitmap = _bits![SlotOf(position)];
            if (bitmap is null)
            {
                break;
            }

            int within = (int)(position % SegmentPool.SegmentSize);
            int bit = within & 63;
            ulong missing = ~bitmap[within >> 6] >> bit;
            if (missing != 0)
            {
                position += (ulong)BitOperations.TrailingZeroCount(missing);
                break;
            }

            position += (ulong)(64 - bit);
        }

        _contiguousEnd = Math.Min(position, _highestWritten);
    }

    private void CopyOut(ulong offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            byte[] segment = _data![SlotOf(offset)]!;
            int within = (int)(offset % SegmentPool.SegmentSize);
            int count = Math.Min(SegmentPool.SegmentSize - within, destination.Length);
            segment.AsSpan(within, count).CopyTo(destination);
            destination = destination[count..];
            offset += (ulong)count;
        }
    }

    private void Consume(int count)
    {
        if (count == 0)
        {
            return;
        }

        ulong firstSegment = _readOffset / SegmentPool.SegmentSize;
        _readOffset += (ulong)count;
        _bufferedBytes -= count;
        ulong keptSegment = _readOffset / SegmentPool.SegmentSize;
        for (ulong segment = firstSegment; segment < keptSegment; segment++)
        {
            ReturnSlot((int)(segment % (ulong)_slotCount));
        }
    }

    private int SlotOf(ulong offset) => (int)(offset / SegmentPool.SegmentSize % (ulong)_slotCount);

    private void ReturnSlot(int slot)
    {
        byte[]? segment = _data![slot];
        if (segment is not null)
        {
            _data[slot] = null;
            SegmentPool.ReturnSegment(segment);
        }

        ulong[]? bitmap = _bits![slot];
        if (bitmap is not null)
        {
            _bits[slot] = null;
            SegmentPool.ReturnBitmap(bitmap);
        }
    }
}

namespace Stt.Server.FanOut;

/// <summary>
/// A growable FIFO ring of payload references with a byte total; not thread-safe (the owner locks). It grows by
/// doubling and never shrinks, so a queue in steady state allocates nothing.
/// </summary>
internal sealed class PayloadRing
{
    private SharedPayload?[] _items;
    private int _head;

    public PayloadRing(int initialCapacity) => _items = new SharedPayload?[Math.Max(initialCapacity, 4)];

    /// <summary>Number of payloads held.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of <see cref="SharedPayload.Length"/> over the payloads held.</summary>
    public long Bytes { get; private set; }

    /// <summary>The oldest payload; the ring must not be empty.</summary>
    public SharedPayload PeekFront() => _items[_head]!;

    /// <summary>The payload at <paramref name="index"/> from the oldest.</summary>
    public SharedPayload this[int index] => _items[(_head + index) % _items.Length]!;

    /// <summary>Appends a payload (the caller transfers one reference to the ring).</summary>
    public void PushBack(SharedPayload payload)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[(_head + Count) % _items.Length] = payload;
        Count++;
        Bytes += payload.Length;
    }

    /// <summary>Puts a payload back at the front (the caller transfers one reference to the ring).</summary>
    public void PushFront(SharedPayload payload)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _head = (_head - 1 + _items.Length) % _items.Length;
        _items[_head] = payload;
        Count++;
        Bytes += payload.Length;
    }

    /// <summary>Removes the oldest payload and hands its reference to the caller; the ring must not be empty.</summary>
    public SharedPayload PopFront()
    {
        SharedPayload payload = _items[_head]!;
        _items[_head] = null;
        _head = (_head + 1) % _items.Length;
        Count--;
        Bytes -= payload.Length;
        return payload;
    }

    /// <summary>Releases every payload held and empties the ring.</summary>
    /// <returns>How many payloads were released.</returns>
    public int ReleaseAll()
    {
        int released = Count;
        while (Count > 0)
        {
            PopFront().Release();
        }

        return released;
    }

    private void Grow()
    {
        var larger = new SharedPayload?[_items.Length * 2];
        for (int i = 0; i < Count; i++)
        {
            larger[i] = _items[(_head + i) % _items.Length];
        }

        _items = larger;
        _head = 0;
    }
}

using System.Diagnostics;

namespace Stt.Server.FanOut;

/// <summary>
/// One published message, serialised once (DATA tag, <c>varint sequence</c>, payload) into a buffer rented from
/// <see cref="System.Buffers.ArrayPool{T}"/> and shared by reference between the replay buffer and every subscriber
/// queue. The object itself is pooled; when the last reference is released both go back to their pools.
/// </summary>
internal sealed class SharedPayload
{
    private SharedPayloadPool? _pool;
    private byte[] _buffer = [];
    private int _references;

    /// <summary>The channel sequence number of the message.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>Length of the encoded message (sequence varint and payload).</summary>
    public int Length { get; private set; }

    /// <summary>The encoded message; valid while the caller holds a reference.</summary>
    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, Length);

    /// <summary>Current reference count (for tests and assertions).</summary>
    internal int References => Volatile.Read(ref _references);

    /// <summary>Takes ownership of a rented buffer; the payload starts with one reference, the caller's.</summary>
    internal void Initialize(SharedPayloadPool pool, byte[] buffer, int length, ulong sequence)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
        Sequence = sequence;
        _references = 1;
    }

    /// <summary>Adds a reference; the caller must already hold one.</summary>
    public void AddRef()
    {
        int references = Interlocked.Increment(ref _references);
        Debug.Assert(references > 1, "AddRef on a released payload.");
    }

    /// <summary>Drops a reference; the last one returns the buffer and the object to their pools.</summary>
    /// <exception cref="InvalidOperationException">The payload was already fully released.</exception>
    public void Release()
    {
        int references = Interlocked.Decrement(ref _references);
        if (references > 0)
        {
            return;
        }

        if (references < 0)
        {
            throw new InvalidOperationException("A shared payload was released more often than it was referenced.");
        }

        SharedPayloadPool pool = _pool!;
        byte[] buffer = _buffer;
        _pool = null;
        _buffer = [];
        Length = 0;
        pool.Return(this, buffer);
    }
}

using System.Buffers;
using Microsoft.Extensions.ObjectPool;
using Stt.Protocol.Distribution;

namespace Stt.Server.FanOut;

/// <summary>
/// Rents <see cref="SharedPayload"/> objects and their buffers (one pool per hub) and counts both, so tests can check
/// that every buffer goes back after the last subscriber released it.
/// </summary>
internal sealed class SharedPayloadPool
{
    private readonly DefaultObjectPool<SharedPayload> _objects;
    private long _rented;
    private long _returned;

    public SharedPayloadPool(int maximumRetained) =>
        _objects = new DefaultObjectPool<SharedPayload>(new DefaultPooledObjectPolicy<SharedPayload>(), maximumRetained);

    /// <summary>Payload buffers rented so far.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Payload buffers returned so far.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>Payload buffers currently referenced.</summary>
    public long Outstanding => Rented - Returned;

    /// <summary>
    /// Encodes the whole subscriber message, DATA tag and <c>varint sequence</c> then <paramref name="payload"/>
    /// (docs/distribution.md, section 4.3), into a pooled payload with one reference.
    /// </summary>
    public SharedPayload Rent(ulong sequence, ReadOnlySpan<byte> payload)
    {
        int length = ChannelMessageHeader.GetLength(sequence) + payload.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        ChannelMessageHeader.TryWrite(buffer, sequence, out int written);
        payload.CopyTo(buffer.AsSpan(written));
        SharedPayload shared = _objects.Get();
        shared.Initialize(this, buffer, length, sequence);
        Interlocked.Increment(ref _rented);
        return shared;
    }

    /// <summary>Called by <see cref="SharedPayload.Release"/> for the last reference.</summary>
    internal void Return(SharedPayload payload, byte[] buffer)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        Interlocked.Increment(ref _returned);
        _objects.Return(payload);
    }
}

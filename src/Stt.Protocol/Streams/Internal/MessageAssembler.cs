using System.Buffers;
using System.Diagnostics;

namespace Stt.Protocol.Streams.Internal;

/// <summary>
/// Holds the part of a length-prefixed message received so far, when the message does not fit in the stream's
/// receive window at once.
/// </summary>
/// <remarks>
/// Moving message bytes out of the receive window is what lets the window (and so the sender) advance while a
/// message far larger than the window arrives. Chunks are rented only as bytes arrive, never from the length prefix
/// alone: a peer that announces a 16 MiB message and sends 10 bytes pins one small chunk, not 16 MiB.
/// </remarks>
internal sealed class MessageAssembler : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private byte[]?[]? _chunks;
    private int _length;
    private int _received;

    public bool IsActive => _chunks is not null;

    public bool IsComplete => IsActive && _received == _length;

    public int Length => _length;

    public int Received => _received;

    /// <summary>Stream offset of the message's length prefix: where a skip resumes counting from.</summary>
    public ulong StartOffset { get; private set; }

    /// <summary>Stream offset after the message's last byte: the next message boundary.</summary>
    public ulong EndOffset { get; private set; }

    /// <param name="length">Body length.</param>
    /// <param name="startOffset">Offset of the length prefix.</param>
    /// <param name="endOffset">Offset after the body.</param>
    public void Begin(int length, ulong startOffset, ulong endOffset)
    {
        Debug.Assert(!IsActive);
        StartOffset = startOffset;
        EndOffset = endOffset;
        _length = length;
        _received = 0;
        int chunkCount = Math.Max(1, (length + ChunkSize - 1) / ChunkSize);
        _chunks = ArrayPool<byte[]?>.Shared.Rent(chunkCount);
        Array.Clear(_chunks, 0, chunkCount);
    }

    /// <summary>Moves readable bytes from the stream's receive buffer into the message.</summary>
    /// <returns>Bytes moved.</returns>
    public int Fill(ReceiveBuffer source)
    {
        Debug.Assert(IsActive);
        int moved = 0;
        while (_received < _length && source.Available > 0)
        {
            int index = _received / ChunkSize;
            int within = _received % ChunkSize;
            int chunkLength = ChunkLength(index);
            byte[] chunk = _chunks![index] ??= ArrayPool<byte>.Shared.Rent(chunkLength);
            int count = source.Read(chunk.AsSpan(within, chunkLength - within));
            _received += count;
            moved += count;
        }

        return moved;
    }

    public void CopyTo(IBufferWriter<byte> destination)
    {
        Debug.Assert(IsComplete);
        for (int index = 0; index * ChunkSize < _length; index++)
        {
            destination.Write(_chunks![index].AsSpan(0, ChunkLength(index)));
        }
    }

    /// <summary>Returns every chunk; the assembler is ready for the next message.</summary>
    public void Dispose()
    {
        if (_chunks is null)
        {
            return;
        }

        for (int index = 0; index < _chunks.Length && _chunks[index] is { } chunk; index++)
        {
            ArrayPool<byte>.Shared.Return(chunk, clearArray: true);
        }

        ArrayPool<byte[]?>.Shared.Return(_chunks, clearArray: true);
        _chunks = null;
        _length = 0;
        _received = 0;
    }

    private int ChunkLength(int index) => Math.Min(ChunkSize, _length - (index * ChunkSize));
}

using System.Buffers;
using System.Security.Cryptography;
using Stt.Protocol.Distribution;

namespace Stt.Server.Content;

/// <summary>
/// Content being received into a <see cref="ContentStore"/>: write the bytes in order with <see cref="WriteAsync"/>,
/// then <see cref="CompleteAsync"/>; dispose in every case.
/// </summary>
/// <remarks>
/// <para>
/// Each full chunk is hashed and, unless the store already holds it, written to a private temporary folder and
/// flushed to disk. <see cref="CompleteAsync"/> renames the new chunks into place and writes the manifest last;
/// nothing is visible before that. Disposing without completing (or after a failure) deletes the temporary
/// folder, leaving nothing behind.
/// </para>
/// <para>Not thread-safe: one writer at a time. Holds one pooled chunk buffer until disposed.</para>
/// </remarks>
public sealed class ContentUpload : IAsyncDisposable
{
    private readonly ContentStore _store;
    private readonly ContentManifestBuilder _builder;
    private readonly long _limit;
    private readonly bool _exactLength;
    private readonly string _tempDirectory;
    private readonly Dictionary<string, string> _newChunks = new(StringComparer.Ordinal);
    private byte[]? _buffer;
    private int _filled;
    private long _received;
    private bool _completed;
    private bool _failed;

    internal ContentUpload(ContentStore store, ContentManifestBuilder builder, long declaredLength)
    {
        _store = store;
        _builder = builder;
        _exactLength = declaredLength >= 0;
        _limit = _exactLength ? declaredLength : store.MaxContentLength;
        DeclaredLength = declaredLength;
        _tempDirectory = store.CreateTempDirectory();
        _buffer = ArrayPool<byte>.Shared.Rent(store.ChunkSize);
    }

    /// <summary>The length announced to <see cref="ContentStore.BeginUpload"/>; -1 for an add of unknown length.</summary>
    public long DeclaredLength { get; }

    /// <summary>Bytes written so far.</summary>
    public long BytesReceived => _received;

    /// <summary>Appends the next bytes of the content.</summary>
    /// <exception cref="InvalidDataException">
    /// The bytes would exceed the declared length (or, for an add, the store's maximum content length); the upload is
    /// then failed and can only be disposed.
    /// </exception>
    /// <exception cref="InvalidOperationException">The upload was completed, failed or disposed.</exception>
    /// <exception cref="IOException">Writing a chunk failed; the upload is failed.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfNotWritable();
        if (data.Length > _limit - _received)
        {
            _failed = true;
            throw new InvalidDataException(_exactLength
                ? $"The upload declared {_limit} bytes; {_received + data.Length} were sent."
                : $"The content exceeds the store's maximum of {_limit} bytes.");
        }

        try
        {
            while (!data.IsEmpty)
            {
                int take = Math.Min(data.Length, _store.ChunkSize - _filled);
                data.Span[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                _received += take;
                data = data[take..];
                if (_filled == _store.ChunkSize)
                {
                    await StoreChunkAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>Stores the last chunk, installs the new chunks, writes the manifest and makes the content visible.</summary>
    /// <returns>The content's manifest.</returns>
    /// <exception cref="InvalidDataException">Fewer bytes were written than declared; the upload is failed.</exception>
    /// <exception cref="InvalidOperationException">The upload was completed, failed or disposed.</exception>
    /// <exception cref="IOException">Writing failed; the content is not visible.</exception>
    public async Task<ContentManifest> CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotWritable();
        if (_exactLength && _received != _limit)
        {
            _failed = true;
            throw new InvalidDataException($"The upload declared {_limit} bytes; only {_received} were sent.");
        }

        try
        {
            if (_filled > 0)
            {
                await StoreChunkAsync(cancellationToken).ConfigureAwait(false);
            }

            ContentManifest manifest = _builder.Build();
            foreach ((string hashHex, string tempPath) in _newChunks)
            {
                _store.InstallChunk(tempPath, hashHex);
            }

            string manifestTemp = Path.Combine(_tempDirectory, "manifest");
            await WriteDurablyAsync(manifestTemp, manifest.Encoded, cancellationToken).ConfigureAwait(false);
            _store.Publish(manifestTemp, manifest);
            _completed = true;
            ContentStoreLog.ContentAdded(_store.Logger, manifest.Id, manifest.TotalLength, manifest.ChunkCount, _newChunks.Count);
            return manifest;
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>Aborts the upload unless it completed, deletes its temporary files, and returns its buffers.</summary>
    public ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _builder.Dispose();
            _store.TryDeleteDirectory(_tempDirectory);
        }

        return ValueTask.CompletedTask;
    }

    private static async Task WriteDurablyAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }

    private async Task StoreChunkAsync(CancellationToken cancellationToken)
    {
        int length = _filled;
        Memory<byte> chunk = _buffer.AsMemory(0, length);
        byte[] hash = new byte[ContentManifestFormat.HashLength];
        SHA256.HashData(chunk.Span, hash);
        _builder.AddChunk(hash, length);
        _filled = 0;
        string hashHex = Convert.ToHexStringLower(hash);
        if (_newChunks.ContainsKey(hashHex) || _store.HasTrustedChunk(hashHex, length))
        {
            return;
        }

        string tempPath = Path.Combine(_tempDirectory, hashHex);
        await WriteDurablyAsync(tempPath, chunk, cancellationToken).ConfigureAwait(false);
        _newChunks.Add(hashHex, tempPath);
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_completed || _failed)
        {
            throw new InvalidOperationException(_completed ? "The upload is already complete." : "The upload failed; dispose it.");
        }
    }
}

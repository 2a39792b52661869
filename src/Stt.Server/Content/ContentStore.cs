using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using Stt.Protocol.Distribution;

namespace Stt.Server.Content;

/// <summary>
/// The node's content store: chunks addressed by SHA-256 and manifests addressed by content ID, kept under one
/// directory and surviving restarts (docs/content.md, sections 3 and 4).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe; one per node. The constructor creates the directories, empties <c>tmp/</c>, and loads every
/// manifest whose file name is its SHA-256 and which parses; any other file in <c>manifests/</c> is moved to
/// <c>quarantine/</c>, logged, and skipped.
/// </para>
/// <para>
/// Adds and uploads write chunks to a private temporary folder, flush each to disk, then rename them into place and
/// write the manifest last, so content becomes visible only once complete. A chunk already stored is not rewritten.
/// </para>
/// <para>
/// Reads verify length and SHA-256 of every chunk before returning it; a failure is returned as a
/// <see cref="ChunkReadStatus"/>, never as data, counted in <c>stt.content.integrity.failures</c>, and logged and
/// raised through <see cref="IntegrityFailure"/> once per chunk.
/// </para>
/// </remarks>
public sealed class ContentStore : IDisposable
{
    private readonly ConcurrentDictionary<ContentId, ContentManifest> _manifests = new();
    private readonly ConcurrentDictionary<string, byte> _failedChunks = new(StringComparer.Ordinal);
    private readonly ContentMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly string _manifestsDirectory;
    private readonly string _chunksDirectory;
    private readonly string _tempDirectory;
    private readonly string _quarantineDirectory;
    private long _integrityFailures;

    /// <summary>Opens (creating if needed) the store at <see cref="ContentStoreOptions.RootDirectory"/> and loads its manifests.</summary>
    /// <param name="options">Validated settings; copied.</param>
    /// <param name="logger">Log sink; none when null.</param>
    /// <param name="metrics">Instruments; a private set when null (disposed with the store).</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="ContentStoreOptions.Validate"/>).</exception>
    /// <exception cref="IOException">The directories cannot be created or read.</exception>
    public ContentStore(ContentStoreOptions options, ILogger<ContentStore>? logger = null, ContentMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RootDirectory = Path.GetFullPath(options.RootDirectory);
        ChunkSize = options.ChunkSize;
        MaxContentLength = options.MaxContentLength;
        Logger = logger ?? (ILogger)NullLogger.Instance;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new ContentMetrics();
        _manifestsDirectory = Path.Combine(RootDirectory, "manifests");
        _chunksDirectory = Path.Combine(RootDirectory, "chunks");
        _tempDirectory = Path.Combine(RootDirectory, "tmp");
        _quarantineDirectory = Path.Combine(RootDirectory, "quarantine");
        Directory.CreateDirectory(_manifestsDirectory);
        Directory.CreateDirectory(_chunksDirectory);
        Directory.CreateDirectory(_quarantineDirectory);
        if (Directory.Exists(_tempDirectory))
        {
            TryDeleteDirectory(_tempDirectory);
        }

        Directory.CreateDirectory(_tempDirectory);
        LoadManifests();
        ContentStoreLog.Opened(Logger, RootDirectory, _manifests.Count);
    }

    /// <summary>Raised the first time (since the store opened, or since the chunk was last rewritten) a chunk fails verification.</summary>
    /// <remarks>Handlers run synchronously on the reading thread and must not throw.</remarks>
    public event EventHandler<ContentIntegrityFailureEventArgs>? IntegrityFailure;

    /// <summary>The store's root directory, as a full path.</summary>
    public string RootDirectory { get; }

    /// <summary>Chunk size of content added here.</summary>
    public int ChunkSize { get; }

    /// <summary>Largest content an add or upload accepts.</summary>
    public long MaxContentLength { get; }

    /// <summary>Chunk reads that failed verification since the store opened.</summary>
    public long IntegrityFailureCount => Interlocked.Read(ref _integrityFailures);

    internal ILogger Logger { get; }

    /// <summary>Stores the file at <paramref name="path"/> and returns its manifest.</summary>
    /// <exception cref="InvalidDataException">The file is longer than <see cref="MaxContentLength"/>; nothing is stored.</exception>
    /// <exception cref="ArgumentException">The name or media type is invalid (see <see cref="ContentManifestBuilder"/>).</exception>
    /// <exception cref="IOException">Reading the file or writing the store failed; nothing becomes visible.</exception>
    public async Task<ContentManifest> AddFileAsync(string path, string? name, string? mediaType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await AddAsync(file, name, mediaType, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores everything <paramref name="source"/> yields until its end and returns the manifest.</summary>
    /// <exception cref="InvalidDataException">The source yields more than <see cref="MaxContentLength"/> bytes; nothing is stored.</exception>
    /// <exception cref="ArgumentException">The name or media type is invalid (see <see cref="ContentManifestBuilder"/>).</exception>
    /// <exception cref="IOException">Reading the source or writing the store failed; nothing becomes visible.</exception>
    public async Task<ContentManifest> AddAsync(Stream source, string? name, string? mediaType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ContentUpload upload = CreateUpload(name, mediaType, declaredLength: -1);
        await using (upload.ConfigureAwait(false))
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(ChunkSize, 1024 * 1024));
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await upload.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return await upload.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts receiving content of a known length incrementally, for example from a peer.</summary>
    /// <param name="name">Optional name (at most 255 UTF-8 bytes).</param>
    /// <param name="mediaType">Optional media type (at most 127 characters of printable ASCII).</param>
    /// <param name="declaredLength">The exact number of bytes that will be written, 0..<see cref="MaxContentLength"/>.</param>
    /// <returns>The upload; dispose it (after <see cref="ContentUpload.CompleteAsync"/>, or instead of it to abort).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="declaredLength"/> is negative or above <see cref="MaxContentLength"/>.</exception>
    /// <exception cref="ArgumentException">The name or media type is invalid.</exception>
    public ContentUpload BeginUpload(string? name, string? mediaType, long declaredLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(declaredLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(declaredLength, MaxContentLength);
        return CreateUpload(name, mediaType, declaredLength);
    }

    /// <summary>Finds a stored manifest.</summary>
    public bool TryGetManifest(ContentId id, out ContentManifest? manifest) => _manifests.TryGetValue(id, out manifest);

    /// <summary>A snapshot of every stored manifest, in no particular order.</summary>
    public IReadOnlyCollection<ContentManifest> List() => _manifests.Values.ToArray();

    /// <summary>Reads chunk <paramref name="index"/> of <paramref name="manifest"/> into <paramref name="destination"/> and verifies it.</summary>
    /// <returns>
    /// <see cref="ChunkReadStatus.Ok"/> with the chunk's length when its length and SHA-256 match the manifest. Otherwise
    /// an integrity failure (<see cref="ChunkReadStatus.Missing"/>, <see cref="ChunkReadStatus.LengthMismatch"/> or
    /// <see cref="ChunkReadStatus.HashMismatch"/>) with 0 bytes; the destination's first chunk-length bytes are then
    /// cleared, so no unverified byte is left there.
    /// </returns>
    /// <remarks>
    /// Reads synchronously with <see cref="RandomAccess"/> (chunks are at most 4 MiB and usually in the page cache);
    /// allocates only the file handle and its path.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the manifest's chunks.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the chunk.</exception>
    /// <exception cref="IOException">The file exists but could not be read (other than a missing file).</exception>
    /// <exception cref="UnauthorizedAccessException">The node may not read the chunk file.</exception>
    public ValueTask<ChunkReadResult> ReadChunkAsync(ContentManifest manifest, int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        cancellationToken.ThrowIfCancellationRequested();
        int length = manifest.GetChunkLength(index);
        if (destination.Length < length)
        {
            throw new ArgumentException($"Chunk {index} is {length} bytes; the destination holds {destination.Length}.", nameof(destination));
        }

        Span<byte> target = destination.Span[..length];
        ChunkReadStatus status = ReadAndVerify(manifest.GetChunkHash(index), target);
        if (status == ChunkReadStatus.Ok)
        {
            _metrics.ChunksServed.Add(1);
            _metrics.BytesServed.Add(length);
            return ValueTask.FromResult(new ChunkReadResult(ChunkReadStatus.Ok, length));
        }

        target.Clear();
        ReportIntegrityFailure(manifest, index, status);
        return ValueTask.FromResult(new ChunkReadResult(status, 0));
    }

    /// <summary>Disposes the instruments when the store created them.</summary>
    public void Dispose()
    {
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    internal string GetChunkPath(string hashHex) => Path.Join(_chunksDirectory, hashHex.AsSpan(0, 2), hashHex);

    internal string GetManifestPath(ContentId id) => Path.Join(_manifestsDirectory, id.ToString());

    /// <summary>Whether a chunk can be reused without writing it: its file exists with the right length and has not failed a read.</summary>
    internal bool HasTrustedChunk(string hashHex, int length)
    {
        if (_failedChunks.ContainsKey(hashHex))
        {
            return false;
        }

        var file = new FileInfo(GetChunkPath(hashHex));
        return file.Exists && file.Length == length;
    }

    internal string CreateTempDirectory()
    {
        string path = Path.Combine(_tempDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Moves a flushed temporary chunk file into chunks/ and trusts that chunk again.</summary>
    internal void InstallChunk(string tempPath, string hashHex)
    {
        string target = GetChunkPath(hashHex);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(tempPath, target, overwrite: true);
        _failedChunks.TryRemove(hashHex, out _);
    }

    /// <summary>Moves a flushed temporary manifest file into manifests/ and makes the content visible.</summary>
    internal void Publish(string tempManifestPath, ContentManifest manifest)
    {
        File.Move(tempManifestPath, GetManifestPath(manifest.Id), overwrite: true);
        _manifests[manifest.Id] = manifest;
    }

    internal void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ContentStoreLog.TempCleanupFailed(Logger, path, ex);
        }
    }

    private ContentUpload CreateUpload(string? name, string? mediaType, long declaredLength) =>
        new(this, new ContentManifestBuilder(ChunkSize, name, mediaType), declaredLength);

    private ChunkReadStatus ReadAndVerify(ReadOnlySpan<byte> expectedHash, Span<byte> target)
    {
        string path = BuildChunkPath(expectedHash);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ChunkReadStatus.Missing;
        }

        using (handle)
        {
            if (RandomAccess.GetLength(handle) != target.Length)
            {
                return ChunkReadStatus.LengthMismatch;
            }

            int total = 0;
            while (total < target.Length)
            {
                int read = RandomAccess.Read(handle, target[total..], total);
                if (read == 0)
                {
                    return ChunkReadStatus.LengthMismatch;
                }

                total += read;
            }
        }

        Span<byte> actual = stackalloc byte[ContentManifestFormat.HashLength];
        SHA256.HashData(target, actual);
        return actual.SequenceEqual(expectedHash) ? ChunkReadStatus.Ok : ChunkReadStatus.HashMismatch;
    }

    /// <summary>chunks/hh/hex as one string allocation (the read path's only one besides the file handle).</summary>
    private string BuildChunkPath(ReadOnlySpan<byte> hash)
    {
        const int HexLength = 2 * ContentManifestFormat.HashLength;
        int length = _chunksDirectory.Length + 1 + 2 + 1 + HexLength;
        Span<char> path = length <= 1024 ? stackalloc char[length] : new char[length];
        _chunksDirectory.AsSpan().CopyTo(path);
        int offset = _chunksDirectory.Length;
        path[offset] = Path.DirectorySeparatorChar;
        Span<char> hex = path[(offset + 4)..];
        Convert.TryToHexStringLower(hash, hex, out _);
        hex[..2].CopyTo(path[(offset + 1)..]);
        path[offset + 3] = Path.DirectorySeparatorChar;
        return new string(path);
    }

    private void ReportIntegrityFailure(ContentManifest manifest, int index, ChunkReadStatus status)
    {
        Interlocked.Increment(ref _integrityFailures);
        string reason = status switch
        {
            ChunkReadStatus.Missing => "missing",
            ChunkReadStatus.LengthMismatch => "length",
            _ => "hash",
        };
        _metrics.IntegrityFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
        string hashHex = Convert.ToHexStringLower(manifest.GetChunkHash(index));
        if (_failedChunks.TryAdd(hashHex, 0))
        {
            ContentStoreLog.IntegrityFailure(Logger, index, hashHex, manifest.Id, status);
            IntegrityFailure?.Invoke(this, new ContentIntegrityFailureEventArgs(manifest.Id, index, hashHex, status));
        }
    }

    private void LoadManifests()
    {
        foreach (string path in Directory.EnumerateFiles(_manifestsDirectory))
        {
            string fileName = Path.GetFileName(path);
            string? reason = TryLoadManifest(path, fileName);
            if (reason is not null)
            {
                Quarantine(path, fileName, reason);
            }
        }
    }

    private string? TryLoadManifest(string path, string fileName)
    {
        if (fileName.Length != 2 * ContentId.Length || !ContentId.TryParse(fileName, out ContentId id) || id.ToString() != fileName)
        {
            return "the file name is not a lowercase content ID";
        }

        var info = new FileInfo(path);
        long maxLength = 64 + ContentManifestFormat.MaxNameLength + ContentManifestFormat.MaxMediaTypeLength
            + ((long)ContentManifestFormat.MaxChunkCount * ContentManifestFormat.HashLength);
        if (info.Length > maxLength)
        {
            return $"{info.Length} bytes is larger than any manifest";
        }

        byte[] bytes = File.ReadAllBytes(path);
        Span<byte> hash = stackalloc byte[ContentId.Length];
        SHA256.HashData(bytes, hash);
        if (ContentId.FromHash(hash) != id)
        {
            return "the SHA-256 of the file differs from its name";
        }

        if (!ContentManifest.TryParse(bytes, out ContentManifest? manifest, out string? error))
        {
            return error;
        }

        Debug.Assert(manifest!.Id == id);
        _manifests[id] = manifest;
        return null;
    }

    private void Quarantine(string path, string fileName, string reason)
    {
        string target = Path.Combine(_quarantineDirectory,
            fileName + "." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture));
        try
        {
            File.Move(path, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason += $" (could not move it to quarantine: {ex.Message})";
        }

        ContentStoreLog.ManifestQuarantined(Logger, fileName, reason);
    }
}

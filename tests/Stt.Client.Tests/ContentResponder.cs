using System.Collections.Concurrent;
using Stt.Protocol.Distribution;

namespace Stt.Client.Tests;

/// <summary>Answers GET_MANIFEST and GET_CHUNKS for one in-memory content, with switches to misbehave.</summary>
public sealed class ContentResponder
{
    public const int ChunkSize = 4096;

    public ContentResponder(int length, int seed = 1)
    {
        Content = new byte[length];
        new Random(seed).NextBytes(Content);
        using var builder = new ContentManifestBuilder(ChunkSize, "test.bin");
        for (int offset = 0; offset < length; offset += ChunkSize)
        {
            builder.AddChunkData(Content.AsSpan(offset, Math.Min(ChunkSize, length - offset)));
        }

        Manifest = builder.Build();
    }

    public byte[] Content { get; }

    public ContentManifest Manifest { get; }

    public ContentId Id => Manifest.Id;

    /// <summary>A chunk sent with one byte flipped.</summary>
    public int? CorruptChunk { get; set; }

    /// <summary>Send ERROR INTEGRITY_FAILURE instead of this chunk.</summary>
    public int? ErrorAtChunk { get; set; }

    /// <summary>Bytes sent as the manifest instead of the real one.</summary>
    public byte[]? ManifestOverride { get; set; }

    /// <summary>The (first, count) of every GET_CHUNKS request.</summary>
    public ConcurrentQueue<(ulong First, ulong Count)> ChunkRequests { get; } = new();

    public async Task HandleAsync(NodeStream stream)
    {
        DistributionRequest request = stream.Request;
        if (request.Kind == DistributionRequestKind.GetManifest)
        {
            if (request.ContentId != Id)
            {
                await stream.RefuseAsync(DistributionStatus.UnknownContent, "no such content");
                return;
            }

            await stream.OkAsync();
            await stream.DataAsync(ManifestOverride ?? Manifest.Encoded.ToArray());
            await stream.EndAsync();
            return;
        }

        if (request.Kind != DistributionRequestKind.GetChunks || request.ContentId != Id)
        {
            await stream.RefuseAsync(DistributionStatus.UnknownContent, "no such content");
            return;
        }

        ChunkRequests.Enqueue((request.FirstChunk, request.ChunkCount));
        if (request.FirstChunk + request.ChunkCount > (ulong)Manifest.ChunkCount)
        {
            await stream.RefuseAsync(DistributionStatus.InvalidRange, "past the end");
            return;
        }

        await stream.OkAsync();
        for (int index = (int)request.FirstChunk; index < (int)(request.FirstChunk + request.ChunkCount); index++)
        {
            if (ErrorAtChunk == index)
            {
                await stream.ErrorAsync(DistributionStatus.IntegrityFailure, "disk rot in chunk " + index);
                return;
            }

            byte[] chunk = Content.AsSpan((int)Manifest.GetChunkOffset(index), Manifest.GetChunkLength(index)).ToArray();
            if (CorruptChunk == index)
            {
                chunk[chunk.Length / 2] ^= 0x40;
            }

            byte[] message = new byte[ChunkMessage.GetHeaderLength((ulong)index) + chunk.Length];
            ChunkMessage.TryWriteHeader(message, (ulong)index, out int header);
            chunk.CopyTo(message.AsSpan(header));
            try
            {
                await stream.RawAsync(message);
            }
            catch (Stt.Transport.StreamAbortedException)
            {
                return;
            }
        }

        await stream.EndAsync();
    }
}

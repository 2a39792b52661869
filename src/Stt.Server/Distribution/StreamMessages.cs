using System.Buffers;
using Stt.Protocol.Distribution;
using Stt.Transport;

namespace Stt.Server.Distribution;

/// <summary>Writes the server's small messages of docs/distribution.md (response header, END, ERROR) from pooled buffers.</summary>
internal static class StreamMessages
{
    /// <summary>Sends a response header; a status other than OK also finishes the stream (docs/distribution.md, section 5).</summary>
    public static async ValueTask SendHeaderAsync(SttSession session, int streamId, DistributionStatus status, string message, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(DistributionLimits.MaxResponseHeaderLength);
        try
        {
            ResponseHeader.TryWrite(buffer, status, message, out int written);
            await session.WriteMessageAsync(streamId, buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (status != DistributionStatus.Ok)
        {
            session.Finish(streamId);
        }
    }

    /// <summary>Sends END and finishes the stream.</summary>
    public static async ValueTask SendEndAsync(SttSession session, int streamId, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ServerMessage.EndLength);
        try
        {
            ServerMessage.TryWriteEnd(buffer, out int written);
            await session.WriteMessageAsync(streamId, buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        session.Finish(streamId);
    }

    /// <summary>Sends ERROR with a status and finishes the stream.</summary>
    public static async ValueTask SendErrorAsync(SttSession session, int streamId, DistributionStatus status, string message, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(DistributionLimits.MaxResponseHeaderLength + 1);
        try
        {
            ServerMessage.TryWriteError(buffer, status, message, out int written);
            await session.WriteMessageAsync(streamId, buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        session.Finish(streamId);
    }
}

using System.Buffers;
using Stt.Protocol.Encoding;
using Stt.Protocol.Streams;
using Xunit;

namespace Stt.Protocol.Tests.Streams;

/// <summary>Small helpers shared by the stream tests: deterministic bytes, draining queues, moving one chunk between managers.</summary>
internal static class StreamTestHelpers
{
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A message as it appears on the stream: length varint, then the body.</summary>
    public static byte[] Framed(byte[] body)
    {
        var framed = new byte[Varint.GetEncodedLength((ulong)body.Length) + body.Length];
        int prefix = Varint.Write(framed, (ulong)body.Length);
        body.CopyTo(framed, prefix);
        return framed;
    }

    public static List<StreamEvent> DrainEvents(StreamManager manager)
    {
        var events = new List<StreamEvent>();
        while (manager.TryDequeueEvent(out StreamEvent streamEvent))
        {
            events.Add(streamEvent);
        }

        return events;
    }

    public static List<StreamControlItem> DrainControl(StreamManager manager)
    {
        var items = new List<StreamControlItem>();
        while (manager.TryGetPendingControl(out StreamControlItem item))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Reads everything readable now.</summary>
    public static byte[] ReadAvailable(StreamManager manager, int streamId, out StreamReadStatus last)
    {
        var output = new List<byte>();
        var buffer = new byte[4096];
        while ((last = manager.Read(streamId, buffer, out int read)) == StreamReadStatus.Success)
        {
            output.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        return [.. output];
    }

    /// <summary>Takes the next DATA chunk and the bytes it carries.</summary>
    public static bool TryTakeData(StreamManager manager, int maxPayload, out StreamChunk chunk, out byte[] data)
    {
        var payload = new byte[maxPayload];
        if (!manager.TryGetNextData(payload, out chunk))
        {
            data = [];
            return false;
        }

        data = payload.AsSpan(chunk.DataStart, chunk.Length).ToArray();
        return true;
    }

    /// <summary>Applies a control item to the manager it was meant for.</summary>
    public static void Apply(StreamManager receiver, StreamControlItem item)
    {
        switch (item.Kind)
        {
            case StreamControlKind.MaxData:
                receiver.OnMaxData(item.Value);
                break;
            case StreamControlKind.MaxStreams:
                receiver.OnMaxStreams(item.Value);
                break;
            case StreamControlKind.MaxStreamData:
                receiver.OnMaxStreamData(item.StreamId, item.Value);
                break;
            case StreamControlKind.ResetStream:
                receiver.OnResetStream(item.StreamId, item.ErrorCode, item.Value);
                break;
            case StreamControlKind.StopSending:
                receiver.OnStopSending(item.StreamId, item.ErrorCode);
                break;
            case StreamControlKind.Discard:
                receiver.OnDiscard(item.StreamId, item.Value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(item));
        }
    }

    /// <summary>Moves every pending chunk and control item from <paramref name="from"/> to <paramref name="to"/>, acknowledging each.</summary>
    public static void Flush(StreamManager from, StreamManager to, int maxPayload = 1200)
    {
        bool progress = true;
        while (progress)
        {
            progress = false;
            while (from.TryGetPendingControl(out StreamControlItem item))
            {
                Apply(to, item);
                from.OnControlAcked(item);
                progress = true;
            }

            while (TryTakeData(from, maxPayload, out StreamChunk chunk, out byte[] data))
            {
                to.OnData(chunk.StreamId, chunk.Offset, data, chunk.Fin);
                from.OnDataAcked(chunk.StreamId, chunk.Offset, chunk.Length, chunk.Fin);
                progress = true;
            }
        }
    }

    /// <summary>Drains control items and sends every chunk, acknowledging each as if the peer got it.</summary>
    public static List<StreamChunk> SendAndAcknowledgeAll(StreamManager manager, int maxPayload = 1200)
    {
        DrainControl(manager);
        var chunks = new List<StreamChunk>();
        while (TryTakeData(manager, maxPayload, out StreamChunk chunk, out _))
        {
            manager.OnDataAcked(chunk.StreamId, chunk.Offset, chunk.Length, chunk.Fin);
            chunks.Add(chunk);
        }

        return chunks;
    }

    public static ProtocolErrorCode ViolationCode(Action action) =>
        Assert.Throws<ProtocolViolationException>(action).ErrorCode;

    public static byte[] ReadMessageBytes(StreamManager manager, int streamId, out StreamReadStatus status)
    {
        var writer = new ArrayBufferWriter<byte>();
        status = manager.ReadMessage(streamId, writer, out int length);
        Assert.Equal(writer.WrittenCount, length);
        return writer.WrittenSpan.ToArray();
    }
}

using System.Buffers;
using System.Security.Cryptography;

namespace Stt.Transport.Udp.Tests;

/// <summary>
/// Sends seeded pseudo-random bytes over several concurrent streams as messages and checks, at the receiver, the byte
/// count and SHA-256 of each stream against the sender's.
/// </summary>
public static class StreamTransfer
{
    public const int MessageLength = 60 * 1024;

    public sealed record Result(long Bytes, byte[][] SentHashes, byte[][] ReceivedHashes, long[] ReceivedBytes, TimeSpan Elapsed);

    public static async Task<Result> RunAsync(
        UdpSession sender,
        UdpSession receiver,
        int streams,
        long bytesPerStream,
        CancellationToken cancellationToken,
        Action<long>? onReceived = null)
    {
        var sentHashes = new byte[streams][];
        var receivedHashes = new byte[streams][];
        var receivedBytes = new long[streams];
        long totalReceived = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();

        var readers = Task.Run(async () =>
        {
            var tasks = new List<Task>();
            for (int i = 0; i < streams; i++)
            {
                int streamId = await receiver.AcceptStreamAsync(cancellationToken);
                int index = (streamId - 1) / 2;
                tasks.Add(Task.Run(async () =>
                {
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    var buffer = new ArrayBufferWriter<byte>(MessageLength);
                    while (true)
                    {
                        buffer.ResetWrittenCount();
                        int length = await receiver.ReadMessageAsync(streamId, buffer, cancellationToken);
                        if (length == UdpSession.EndOfStream)
                        {
                            // Streams are bidirectional: the receiver ends its own direction too, so the stream closes.
                            receiver.Finish(streamId);
                            break;
                        }

                        hash.AppendData(buffer.WrittenSpan);
                        receivedBytes[index] += length;
                        onReceived?.Invoke(Interlocked.Add(ref totalReceived, length));
                    }

                    receivedHashes[index] = hash.GetHashAndReset();
                }, cancellationToken));
            }

            await Task.WhenAll(tasks);
        }, cancellationToken);

        var writers = new Task[streams];
        for (int i = 0; i < streams; i++)
        {
            int streamId = sender.OpenStream();
            int index = (streamId - 1) / 2;
            writers[i] = Task.Run(async () =>
            {
                byte[] source = new byte[4 * MessageLength];
                new Random(1000 + index).NextBytes(source);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long remaining = bytesPerStream;
                int k = 0;
                while (remaining > 0)
                {
                    int length = (int)Math.Min(MessageLength, remaining);
                    ReadOnlyMemory<byte> message = source.AsMemory((k++ * 4099) % (3 * MessageLength), length);
                    hash.AppendData(message.Span);
                    await sender.WriteMessageAsync(streamId, message, cancellationToken);
                    remaining -= length;
                }

                sender.Finish(streamId);
                sentHashes[index] = hash.GetHashAndReset();
            }, cancellationToken);
        }

        await Task.WhenAll(writers);
        await readers;
        return new Result(streams * bytesPerStream, sentHashes, receivedHashes, receivedBytes, started.Elapsed);
    }
}

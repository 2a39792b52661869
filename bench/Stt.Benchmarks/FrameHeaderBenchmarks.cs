using System.Buffers;
using BenchmarkDotNet.Attributes;
using Stt.Protocol.Encoding;

namespace Stt.Benchmarks;

/// <summary>
/// Cost of scanning and writing a frame header against copying the same 26 bytes. Headers use a 4-byte stream ID
/// varint, so each is the largest (26-byte) header; the two-segment case splits each header at byte 13, inside the
/// session ID, which forces the stack-copy path. Every benchmark handles <see cref="Frames"/> different frames per
/// invocation so that the sub-nanosecond copy baseline stays measurable.
/// </summary>
[MemoryDiagnoser]
public class FrameHeaderBenchmarks
{
    private const int Frames = 16;
    private const int BodyLength = 1200;
    private const int FrameLength = FrameHeader.MaxSize + BodyLength;
    private const int MaxBodyLength = FrameHeader.MaxBodyLength;

    private readonly byte[] _frames = new byte[Frames * FrameLength];
    private readonly byte[] _destination = new byte[Frames * FrameHeader.MaxSize];
    private readonly FrameHeader[] _headers = new FrameHeader[Frames];
    private readonly ReadOnlySequence<byte>[] _singleSegments = new ReadOnlySequence<byte>[Frames];
    private readonly ReadOnlySequence<byte>[] _twoSegments = new ReadOnlySequence<byte>[Frames];

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Frames; i++)
        {
            _headers[i] = new FrameHeader(FrameType.Data, FrameFlags.KeyPhase, 0x1122334455667788, 123_456_789 + (ulong)i, BodyLength, 20_000 + i);
            Memory<byte> frame = _frames.AsMemory(i * FrameLength, FrameLength);
            FrameWriter.WriteHeader(frame.Span, _headers[i]);
            _singleSegments[i] = new ReadOnlySequence<byte>(frame);
            _twoSegments[i] = BenchmarkSegment.Join(frame[..13], frame[13..]);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public int CopyHeaderBytes()
    {
        for (int i = 0; i < Frames; i++)
        {
            _frames.AsSpan(i * FrameLength, FrameHeader.MaxSize).CopyTo(_destination.AsSpan(i * FrameHeader.MaxSize));
        }

        return _destination[^1];
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long ParseSpan()
    {
        long total = 0;
        for (int i = 0; i < Frames; i++)
        {
            FrameScanner.TryReadFrame(_frames.AsSpan(i * FrameLength, FrameLength), MaxBodyLength, out FrameHeader header, out int frameLength);
            total += frameLength + header.StreamId;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long ParseSingleSegmentSequence()
    {
        long total = 0;
        for (int i = 0; i < Frames; i++)
        {
            ReadOnlySequence<byte> buffer = _singleSegments[i];
            FrameScanner.TryReadFrame(ref buffer, MaxBodyLength, out FrameHeader header, out ReadOnlySequence<byte> frame);
            total += frame.Length + header.StreamId;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long ParseTwoSegmentSequence()
    {
        long total = 0;
        for (int i = 0; i < Frames; i++)
        {
            ReadOnlySequence<byte> buffer = _twoSegments[i];
            FrameScanner.TryReadFrame(ref buffer, MaxBodyLength, out FrameHeader header, out ReadOnlySequence<byte> frame);
            total += frame.Length + header.StreamId;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int WriteHeader()
    {
        int total = 0;
        for (int i = 0; i < Frames; i++)
        {
            total += FrameWriter.WriteHeader(_destination.AsSpan(i * FrameHeader.MaxSize), _headers[i]);
        }

        return total;
    }

    private sealed class BenchmarkSegment : ReadOnlySequenceSegment<byte>
    {
        private BenchmarkSegment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Join(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
        {
            var head = new BenchmarkSegment(first, 0);
            var tail = new BenchmarkSegment(second, first.Length);
            head.Next = tail;
            return new ReadOnlySequence<byte>(head, 0, tail, second.Length);
        }
    }
}

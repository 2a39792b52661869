using System.Buffers;
using BenchmarkDotNet.Attributes;
using Stt.Protocol.Encoding;

namespace Stt.Benchmarks;

/// <summary>
/// Cost of scanning and writing a frame header against copying the same 26 bytes. The header uses a 4-byte stream
/// ID varint, so it is the largest (26-byte) header; the two-segment case splits it at byte 13, inside the session
/// ID, which forces the stack-copy path.
/// </summary>
[MemoryDiagnoser]
public class FrameHeaderBenchmarks
{
    private const int MaxBodyLength = FrameHeader.MaxBodyLength;

    private static readonly FrameHeader Header =
        new(FrameType.Data, FrameFlags.KeyPhase, 0x1122334455667788, 123_456_789, 1200, 20_000);

    private readonly byte[] _frame = new byte[FrameHeader.MaxSize + 1200];
    private readonly byte[] _destination = new byte[FrameHeader.MaxSize];
    private ReadOnlySequence<byte> _singleSegment;
    private ReadOnlySequence<byte> _twoSegments;

    [GlobalSetup]
    public void Setup()
    {
        FrameWriter.WriteHeader(_frame, Header);
        _singleSegment = new ReadOnlySequence<byte>(_frame);
        _twoSegments = BenchmarkSegment.Join(_frame.AsMemory(0, 13), _frame.AsMemory(13));
    }

    [Benchmark(Baseline = true)]
    public byte CopyHeaderBytes()
    {
        _frame.AsSpan(0, FrameHeader.MaxSize).CopyTo(_destination);
        return _destination[FrameHeader.MaxSize - 1];
    }

    [Benchmark]
    public int ParseSpan()
    {
        FrameScanner.TryReadFrame(_frame, MaxBodyLength, out FrameHeader header, out int frameLength);
        return frameLength + header.StreamId;
    }

    [Benchmark]
    public long ParseSingleSegmentSequence()
    {
        ReadOnlySequence<byte> buffer = _singleSegment;
        FrameScanner.TryReadFrame(ref buffer, MaxBodyLength, out FrameHeader header, out ReadOnlySequence<byte> frame);
        return frame.Length + header.StreamId;
    }

    [Benchmark]
    public long ParseTwoSegmentSequence()
    {
        ReadOnlySequence<byte> buffer = _twoSegments;
        FrameScanner.TryReadFrame(ref buffer, MaxBodyLength, out FrameHeader header, out ReadOnlySequence<byte> frame);
        return frame.Length + header.StreamId;
    }

    [Benchmark]
    public int WriteHeader() => FrameWriter.WriteHeader(_destination, Header);

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

using System.Buffers.Binary;
using Stt.Protocol.Distribution;
using Stt.Server.FanOut;
using Xunit;

namespace Stt.Server.Tests.FanOut;

/// <summary>
/// An in-memory subscriber: records the sequence numbers it receives, checks each payload against its sequence, and
/// has a byte budget that can be closed and opened to simulate a slow consumer.
/// </summary>
internal sealed class TestSink : ISubscriberSink
{
    private readonly Lock _gate = new();
    private readonly List<ulong> _sequences = [];
    private readonly bool _recordSequences;
    private long _budget;
    private int _blockedLength;
    private TaskCompletionSource? _writable;
    private ulong _last;
    private int _count;
    private bool _ordered = true;
    private bool _contiguous = true;
    private bool _payloadsValid = true;
    private int _unflushed;
    private int _flushes;
    private int _largestFlush;

    public TestSink(long budget = long.MaxValue, bool recordSequences = true)
    {
        _budget = budget;
        _recordSequences = recordSequences;
    }

    public TaskCompletionSource SlowConsumer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, TryWrite throws (the subscriber's transport is gone).</summary>
    public bool Broken { get; set; }

    public int Count { get { lock (_gate) { return _count; } } }

    public ulong LastSequence { get { lock (_gate) { return _last; } } }

    /// <summary>Sequences strictly increase.</summary>
    public bool Ordered { get { lock (_gate) { return _ordered; } } }

    /// <summary>Each sequence is one more than the previous one (after the first).</summary>
    public bool Contiguous { get { lock (_gate) { return _contiguous; } } }

    public bool PayloadsValid { get { lock (_gate) { return _payloadsValid; } } }

    public ulong[] Sequences { get { lock (_gate) { return [.. _sequences]; } } }

    /// <summary>Messages accepted by TryWrite that no Flush has sent yet.</summary>
    public int Unflushed { get { lock (_gate) { return _unflushed; } } }

    /// <summary>Flush calls that had something to send.</summary>
    public int Flushes { get { lock (_gate) { return _flushes; } } }

    /// <summary>The most messages one Flush sent.</summary>
    public int LargestFlush { get { lock (_gate) { return _largestFlush; } } }

    /// <summary>Builds a payload of <paramref name="length"/> bytes (at least 8) whose bytes derive from <paramref name="tag"/>.</summary>
    public static byte[] Payload(ulong tag, int length)
    {
        var payload = new byte[Math.Max(length, 8)];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, tag);
        for (int i = 8; i < payload.Length; i++)
        {
            payload[i] = (byte)(tag + (ulong)i);
        }

        return payload;
    }

    public bool TryWrite(ReadOnlySpan<byte> message)
    {
        if (Broken)
        {
            throw new IOException("The test transport is gone.");
        }

        lock (_gate)
        {
            if (message.Length > _budget)
            {
                _blockedLength = message.Length;
                return false;
            }

            if (_budget != long.MaxValue)
            {
                _budget -= message.Length;
            }

            Assert.True(ChannelMessageHeader.TryRead(message, out ulong sequence, out ReadOnlySpan<byte> payload));
            if (payload.Length >= 8)
            {
                ulong tag = BinaryPrimitives.ReadUInt64LittleEndian(payload);
                for (int i = 8; i < payload.Length; i++)
                {
                    if (payload[i] != (byte)(tag + (ulong)i))
                    {
                        _payloadsValid = false;
                        break;
                    }
                }
            }

            if (_count > 0)
            {
                _ordered &= sequence > _last;
                _contiguous &= sequence == _last + 1;
            }

            _last = sequence;
            _count++;
            _unflushed++;
            if (_recordSequences)
            {
                _sequences.Add(sequence);
            }

            return true;
        }
    }

    public ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_budget >= _blockedLength)
            {
                return ValueTask.CompletedTask;
            }

            _writable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_writable.Task.WaitAsync(cancellationToken));
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (_unflushed > 0)
            {
                _flushes++;
                _largestFlush = Math.Max(_largestFlush, _unflushed);
                _unflushed = 0;
            }
        }
    }

    public void OnSlowConsumer() => SlowConsumer.TrySetResult();

    /// <summary>Adds <paramref name="bytes"/> to the budget (or makes it unlimited) and wakes a waiting pump.</summary>
    public void Open(long bytes = long.MaxValue)
    {
        TaskCompletionSource? writable;
        lock (_gate)
        {
            _budget = bytes == long.MaxValue || _budget == long.MaxValue ? long.MaxValue : _budget + bytes;
            writable = _writable;
            _writable = null;
        }

        writable?.TrySetResult();
    }

    /// <summary>Makes every further write fail until <see cref="Open"/>.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _budget = 0;
        }
    }
}

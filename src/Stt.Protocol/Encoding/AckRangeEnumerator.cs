using System.Buffers;
using System.Diagnostics;

namespace Stt.Protocol.Encoding;

/// <summary>Enumerates the ranges of an ACK, largest first, without allocating.</summary>
/// <remarks>
/// Decodes the QUIC range encoding of docs/protocol.md section 9 (RFC 9000, section 19.3.1): the first range is
/// <c>largest - first range .. largest</c>; each next range ends <c>gap + 2</c> below the start of the previous one
/// and covers <c>range length + 1</c> sequence numbers. <see cref="ControlMessageReader"/> validated every range
/// before handing out the message.
/// </remarks>
public ref struct AckRangeEnumerator
{
    private ReadOnlySpan<byte> _gapsAndLengths;
    private readonly ulong _largest;
    private readonly ulong _firstRange;
    private readonly int _count;
    private int _index;

    internal AckRangeEnumerator(ulong largest, ulong firstRange, int count, ReadOnlySpan<byte> gapsAndLengths)
    {
        _largest = largest;
        _firstRange = firstRange;
        _count = count;
        _gapsAndLengths = gapsAndLengths;
        _index = 0;
        Current = default;
    }

    /// <summary>The current range.</summary>
    public SequenceRange Current { get; private set; }

    /// <summary>Returns this enumerator, so an ACK's ranges can be used in <c>foreach</c>.</summary>
    public readonly AckRangeEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next, lower range.</summary>
    /// <returns><see langword="false"/> after the last range.</returns>
    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        if (_index == 0)
        {
            Current = new SequenceRange(_largest - _firstRange, _largest);
        }
        else
        {
            ulong gap = ReadValidated(ref _gapsAndLengths);
            ulong length = ReadValidated(ref _gapsAndLengths);
            ulong end = Current.Start - gap - 2;
            Current = new SequenceRange(end - length, end);
        }

        _index++;
        return true;
    }

    private static ulong ReadValidated(ref ReadOnlySpan<byte> source)
    {
        OperationStatus status = Varint.TryRead(source, out ulong value, out int length);
        Debug.Assert(status == OperationStatus.Done, "ControlMessageReader validates every ACK range.");
        source = source[length..];
        return value;
    }
}

using System.Diagnostics;

namespace Stt.Protocol.Protection.Internal;

/// <summary>
/// The receiver's sliding replay window over frame sequence numbers (docs/protocol.md, section 8, "Replay window").
/// </summary>
/// <remarks>
/// The window holds the highest authenticated sequence number and one bit for each of the 2,048 sequence numbers
/// ending at it (<c>highest - 2047 .. highest</c>). Bits live in a ring of 32 <see cref="ulong"/> words indexed by
/// <c>sequence mod 2048</c>, so advancing the window clears only the bits it slides over. <see cref="Check"/> never
/// mutates; <see cref="Mark"/> is called only after the frame's tag verified, so a forged frame cannot move the
/// window. Not thread-safe.
/// </remarks>
internal sealed class ReplayWindow
{
    /// <summary>Number of sequence numbers the window tracks.</summary>
    public const int Size = 2048;

    private const int WordCount = Size / 64;
    private const int IndexMask = Size - 1;

    private readonly ulong[] _bits = new ulong[WordCount];

    // Highest marked sequence plus one; 0 while nothing is marked. Marked sequences are below 2^62, so no overflow.
    private ulong _top;

    /// <summary>Whether any sequence has been marked.</summary>
    public bool IsEmpty => _top == 0;

    /// <summary>The highest marked sequence number; meaningless while <see cref="IsEmpty"/>.</summary>
    public ulong Highest => _top - 1;

    /// <summary>Classifies <paramref name="sequence"/> without changing the window.</summary>
    public ReplayStatus Check(ulong sequence)
    {
        if (sequence >= _top)
        {
            return ReplayStatus.New;
        }

        // sequence <= highest - 2048, written without underflow: sequence + 2048 < highest + 1.
        if (sequence + Size < _top)
        {
            return ReplayStatus.TooOld;
        }

        return IsMarked(sequence) ? ReplayStatus.Duplicate : ReplayStatus.New;
    }

    /// <summary>Records an authenticated <paramref name="sequence"/>, sliding the window up when it is the new highest.</summary>
    /// <remarks>Precondition: <see cref="Check"/> returned <see cref="ReplayStatus.New"/> for it.</remarks>
    public void Mark(ulong sequence)
    {
        Debug.Assert(Check(sequence) == ReplayStatus.New);
        if (sequence >= _top)
        {
            ulong slide = sequence - _top + 1;
            if (slide >= Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                ClearRange(_top, (int)slide);
            }

            _top = sequence + 1;
        }

        _bits[WordIndex(sequence)] |= 1UL << (int)(sequence & 63);
    }

    private bool IsMarked(ulong sequence) => ((_bits[WordIndex(sequence)] >> (int)(sequence & 63)) & 1) != 0;

    private static int WordIndex(ulong sequence) => (int)(sequence & IndexMask) >> 6;

    // Clears the bits of sequences start .. start + count - 1 (count <= Size) around the ring, a word at a time.
    private void ClearRange(ulong start, int count)
    {
        while (count > 0)
        {
            int bit = (int)(start & 63);
            int run = Math.Min(64 - bit, count);
            ulong mask = run == 64 ? ulong.MaxValue : ((1UL << run) - 1) << bit;
            _bits[WordIndex(start)] &= ~mask;
            start += (ulong)run;
            count -= run;
        }
    }
}

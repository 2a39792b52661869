using System.Buffers;

namespace Stt.Protocol.Streams.Internal;

/// <summary>The fixed-size pooled segments that stream send and receive buffers are built from.</summary>
internal static class SegmentPool
{
    /// <summary>
    /// Segment length. Large enough that a 1,200-byte UDP chunk rarely straddles two segments, small enough that a
    /// stream holding a few bytes does not pin much memory.
    /// </summary>
    public const int SegmentSize = 16 * 1024;

    /// <summary>Bitmap words per segment: one bit per byte.</summary>
    public const int BitmapWords = SegmentSize / 64;

    public static byte[] RentSegment() => ArrayPool<byte>.Shared.Rent(SegmentSize);

    /// <summary>Returns a segment, cleared: it held application plaintext (STYLE.md, "clear pooled memory that held plaintext").</summary>
    public static void ReturnSegment(byte[] segment) => ArrayPool<byte>.Shared.Return(segment, clearArray: true);

    public static ulong[] RentBitmap()
    {
        ulong[] bitmap = ArrayPool<ulong>.Shared.Rent(BitmapWords);
        Array.Clear(bitmap, 0, BitmapWords);
        return bitmap;
    }

    public static void ReturnBitmap(ulong[] bitmap) => ArrayPool<ulong>.Shared.Return(bitmap);

    /// <summary>How many ring slots cover any <paramref name="span"/> consecutive bytes, whatever their alignment.</summary>
    public static int SlotsFor(int span) => ((span + SegmentSize - 1) / SegmentSize) + 1;
}

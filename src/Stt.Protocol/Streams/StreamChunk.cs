using System.Runtime.InteropServices;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Streams;

/// <summary>What one DATA frame carries, as chosen by <see cref="StreamManager.TryGetNextData"/>.</summary>
/// <remarks>
/// The DATA plaintext is <c>offset (varint) ‖ bytes</c> (docs/protocol.md, section 11). The stream layer has copied the
/// bytes to <c>payload[DataStart..PayloadLength]</c>; the caller writes the offset varint into <c>payload[..DataStart]</c>,
/// sets FIN in the frame flags when <see cref="Fin"/> is true, and keeps the chunk with the frame so that loss recovery
/// can report it back through <see cref="StreamManager.OnDataAcked"/> or <see cref="StreamManager.OnDataLost"/>.
/// </remarks>
/// <param name="StreamId">The stream (1 – 65,535).</param>
/// <param name="Offset">Stream offset of the first byte.</param>
/// <param name="Length">Number of stream bytes; 0 only for a FIN-only frame.</param>
/// <param name="Fin">Whether the frame ends the stream: <c>Offset + Length</c> is the final size.</param>
/// <param name="IsRetransmission">Whether the bytes (or the FIN) were sent before in a frame declared lost.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct StreamChunk(int StreamId, ulong Offset, int Length, bool Fin, bool IsRetransmission)
{
    /// <summary>Index in the payload where the stream bytes start: the encoded length of the offset varint.</summary>
    public int DataStart => Varint.GetEncodedLength(Offset);

    /// <summary>Length of the DATA plaintext: offset varint plus stream bytes.</summary>
    public int PayloadLength => DataStart + Length;
}

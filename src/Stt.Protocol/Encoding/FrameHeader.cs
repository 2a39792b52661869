using System.Runtime.InteropServices;

namespace Stt.Protocol.Encoding;

/// <summary>
/// The decoded fixed header of an STT frame.
/// </summary>
/// <remarks>
/// Wire layout (docs/protocol.md, section "Frame header"), all integers big-endian:
/// <code>
///  0        1        2                        10                       18                22
/// +--------+--------+------------------------+------------------------+-----------------+------------------+
/// |  type  | flags  |  session ID (8 bytes)  | sequence number (u64)  | body length u32 | stream ID varint |
/// +--------+--------+------------------------+------------------------+-----------------+------------------+
///                                                                                     (1, 2 or 4 bytes)
/// </code>
/// The body (<see cref="BodyLength"/> bytes) follows the header. For encrypted frames the body is the
/// ciphertext followed by the 16-byte AEAD tag, and the whole header is the associated data.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct FrameHeader(
    FrameType Type,
    FrameFlags Flags,
    ulong SessionId,
    ulong Sequence,
    int BodyLength,
    int StreamId)
{
    /// <summary>Size of the fixed-offset part of the header, before the stream ID varint.</summary>
    public const int FixedSize = 22;

    /// <summary>Largest header: the fixed part and a 4-byte stream ID varint.</summary>
    public const int MaxSize = FixedSize + 4;

    /// <summary>The protocol's hard cap on <see cref="BodyLength"/>: 2 MiB.</summary>
    public const int MaxBodyLength = 2 * 1024 * 1024;

    /// <summary>Highest user stream ID. Stream 0 is the control stream.</summary>
    public const int MaxStreamId = 65535;

    /// <summary>Length of the AEAD tag that ends every encrypted body.</summary>
    public const int TagSize = 16;

    /// <summary>Encoded size of this header.</summary>
    public int Size => FixedSize + Varint.GetEncodedLength((ulong)StreamId);
}

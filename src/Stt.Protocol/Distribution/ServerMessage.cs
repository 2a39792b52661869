using System.Buffers;

namespace Stt.Protocol.Distribution;

// Server messages after the response header (docs/distribution.md, section 4.2):
//
// +------+------------------+
// | 0x00 | body (per kind)  |  DATA
// +------+------------------+
// +------+
// | 0x01 |                     END
// +------+
// +------+------------+---------------------+-----------------+
// | 0x02 | status (1) | message length (vi) | message (UTF-8) |  ERROR
// +------+------------+---------------------+-----------------+

/// <summary>
/// Tags and the kind-independent server messages: END, ERROR, and the DATA messages of GET_MANIFEST and
/// PUT_CONTENT. Channel messages, chunks and listing entries have their own codecs
/// (<see cref="ChannelMessageHeader"/>, <see cref="ChunkMessage"/>, <see cref="ContentListingEntry"/>).
/// </summary>
/// <remarks>Nothing here allocates. Readers take peer input, never throw, and return <see langword="false"/> for anything malformed.</remarks>
public static class ServerMessage
{
    /// <summary>Length of an END message.</summary>
    public const int EndLength = 1;

    /// <summary>Length of the PUT_CONTENT result: the DATA tag and the content ID.</summary>
    public const int StoredLength = 1 + ContentId.Length;

    /// <summary>Splits a server message into its tag and body.</summary>
    /// <returns><see langword="false"/> for an empty message, an unknown tag, or an END with bytes after the tag.</returns>
    public static bool TryReadTag(ReadOnlySpan<byte> message, out ServerMessageTag tag, out ReadOnlySpan<byte> body)
    {
        tag = default;
        body = default;
        if (message.IsEmpty || message[0] > (byte)ServerMessageTag.Error
            || (message[0] == (byte)ServerMessageTag.End && message.Length != EndLength))
        {
            return false;
        }

        tag = (ServerMessageTag)message[0];
        body = message[1..];
        return true;
    }

    /// <summary>Writes an END message.</summary>
    /// <returns><see langword="false"/> when the destination is empty.</returns>
    public static bool TryWriteEnd(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.IsEmpty)
        {
            return false;
        }

        destination[0] = (byte)ServerMessageTag.End;
        written = EndLength;
        return true;
    }

    /// <summary>Writes an ERROR message; the text is cut to 256 UTF-8 bytes like a response header's.</summary>
    /// <returns><see langword="false"/> when the destination is too short.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is <see cref="DistributionStatus.Ok"/>.</exception>
    public static bool TryWriteError(Span<byte> destination, DistributionStatus status, ReadOnlySpan<char> message, out int written)
    {
        if (status == DistributionStatus.Ok)
        {
            throw new ArgumentOutOfRangeException(nameof(status), "An ERROR message carries a failure status.");
        }

        written = 0;
        if (destination.IsEmpty || !ResponseHeader.TryWrite(destination[1..], status, message, out int header))
        {
            return false;
        }

        destination[0] = (byte)ServerMessageTag.Error;
        written = 1 + header;
        return true;
    }

    /// <summary>Writes an ERROR message to <paramref name="writer"/> (see <see cref="TryWriteError"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteError(IBufferWriter<byte> writer, DistributionStatus status, ReadOnlySpan<char> message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWriteError(writer.GetSpan(1 + DistributionLimits.MaxResponseHeaderLength), status, message, out int written);
        writer.Advance(written);
        return written;
    }

    /// <summary>Parses a whole ERROR message; <paramref name="text"/> refers to <paramref name="message"/>.</summary>
    /// <returns><see langword="false"/> unless the message is a well-formed ERROR with a status other than <see cref="DistributionStatus.Ok"/>.</returns>
    public static bool TryReadError(ReadOnlySpan<byte> message, out DistributionStatus status, out ReadOnlySpan<byte> text)
    {
        status = default;
        text = default;
        return !message.IsEmpty && message[0] == (byte)ServerMessageTag.Error
            && ResponseHeader.TryRead(message[1..], out status, out text) && status != DistributionStatus.Ok;
    }

    /// <summary>Writes the DATA tag, after which the caller writes an opaque body (the GET_MANIFEST manifest).</summary>
    /// <returns><see langword="false"/> when the destination is empty.</returns>
    public static bool TryWriteDataTag(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return false;
        }

        destination[0] = (byte)ServerMessageTag.Data;
        return true;
    }

    /// <summary>Returns the body of a DATA message (the GET_MANIFEST manifest).</summary>
    /// <returns><see langword="false"/> when the message is not a DATA message.</returns>
    public static bool TryReadData(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (message.IsEmpty || message[0] != (byte)ServerMessageTag.Data)
        {
            return false;
        }

        body = message[1..];
        return true;
    }

    /// <summary>Writes the PUT_CONTENT result: a DATA message holding the ID of the stored content.</summary>
    /// <returns><see langword="false"/> when the destination is shorter than <see cref="StoredLength"/>.</returns>
    public static bool TryWriteStored(Span<byte> destination, ContentId id)
    {
        if (destination.Length < StoredLength)
        {
            return false;
        }

        destination[0] = (byte)ServerMessageTag.Data;
        return id.TryWrite(destination[1..]);
    }

    /// <summary>Parses the PUT_CONTENT result.</summary>
    /// <returns><see langword="false"/> unless the message is a DATA tag followed by exactly 32 bytes.</returns>
    public static bool TryReadStored(ReadOnlySpan<byte> message, out ContentId id)
    {
        id = default;
        return message.Length == StoredLength && message[0] == (byte)ServerMessageTag.Data && ContentId.TryRead(message[1..], out id);
    }
}

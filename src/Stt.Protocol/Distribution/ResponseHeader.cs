using System.Buffers;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Distribution;

// Response header: the first server message of a stream (docs/distribution.md, section 4.1); also the body of an
// ERROR message after its tag.
//
// +------------+------------------------------+-------------------+
// | status (1) | message length (vi), <= 256  | message (UTF-8)   |
// +------------+------------------------------+-------------------+

/// <summary>The server's first message on a distribution stream: a status and an optional human-readable message.</summary>
/// <param name="Status">The outcome of the request; anything but <see cref="DistributionStatus.Ok"/> ends the stream.</param>
/// <param name="Message">Text for people (logs, error messages), possibly empty; never parsed by programs.</param>
/// <remarks>
/// Reading is peer input: the readers never throw and return <see langword="false"/> for a truncated message, a
/// non-minimal or oversize length, a message that is not well-formed UTF-8, or trailing bytes. Any status byte is
/// accepted; a client treats one it does not know as a failure.
/// </remarks>
public readonly record struct ResponseHeader(DistributionStatus Status, string Message)
{
    /// <summary>Returns the encoded length of a header with this status and message (the message cut as <see cref="TryWrite(Span{byte}, DistributionStatus, ReadOnlySpan{char}, out int)"/> cuts it).</summary>
    public static int GetLength(ReadOnlySpan<char> message)
    {
        Span<byte> scratch = stackalloc byte[DistributionLimits.MaxResponseHeaderLength];
        TryWrite(scratch, DistributionStatus.Ok, message, out int written);
        return written;
    }

    /// <summary>Writes this header to the start of <paramref name="destination"/>.</summary>
    /// <returns><see langword="false"/> when the destination is too short.</returns>
    public bool TryWrite(Span<byte> destination, out int written) => TryWrite(destination, Status, Message, out written);

    /// <summary>
    /// Writes a header to the start of <paramref name="destination"/>. A message longer than 256 UTF-8 bytes is
    /// cut at the last whole character that fits; unpaired surrogates become U+FFFD. Allocates nothing.
    /// </summary>
    /// <returns><see langword="false"/> when the destination is too short.</returns>
    public static bool TryWrite(Span<byte> destination, DistributionStatus status, ReadOnlySpan<char> message, out int written)
    {
        written = 0;
        Span<byte> text = stackalloc byte[DistributionLimits.MaxStatusMessageLength];
        System.Text.Unicode.Utf8.FromUtf16(message, text, out _, out int textLength, true, true);
        int total = 1 + Varint.GetEncodedLength((ulong)textLength) + textLength;
        if (destination.Length < total)
        {
            return false;
        }

        destination[0] = (byte)status;
        int offset = 1 + Varint.Write(destination[1..], (ulong)textLength);
        text[..textLength].CopyTo(destination[offset..]);
        written = total;
        return true;
    }

    /// <summary>Writes a header to <paramref name="writer"/> (see <see cref="TryWrite(Span{byte}, DistributionStatus, ReadOnlySpan{char}, out int)"/>).</summary>
    /// <returns>Bytes written.</returns>
    public static int Write(IBufferWriter<byte> writer, DistributionStatus status, ReadOnlySpan<char> message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWrite(writer.GetSpan(DistributionLimits.MaxResponseHeaderLength), status, message, out int written);
        writer.Advance(written);
        return written;
    }

    /// <summary>Parses a whole header message without allocating; <paramref name="message"/> refers to <paramref name="source"/>.</summary>
    /// <returns>Whether <paramref name="source"/> is exactly one valid header.</returns>
    public static bool TryRead(ReadOnlySpan<byte> source, out DistributionStatus status, out ReadOnlySpan<byte> message)
    {
        status = default;
        message = default;
        if (source.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = source[1..];
        if (!DistributionRequestReader.TryReadVarint(ref rest, out ulong length)
            || length > DistributionLimits.MaxStatusMessageLength || (ulong)rest.Length != length
            || !System.Text.Unicode.Utf8.IsValid(rest))
        {
            return false;
        }

        status = (DistributionStatus)source[0];
        message = rest;
        return true;
    }

    /// <summary>Parses a whole header message, decoding the text into a string.</summary>
    /// <returns>Whether <paramref name="source"/> is exactly one valid header.</returns>
    public static bool TryRead(ReadOnlySpan<byte> source, out ResponseHeader header)
    {
        if (!TryRead(source, out DistributionStatus status, out ReadOnlySpan<byte> message))
        {
            header = default;
            return false;
        }

        header = new ResponseHeader(status, message.IsEmpty ? string.Empty : System.Text.Encoding.UTF8.GetString(message));
        return true;
    }
}

using System.Buffers;
using Stt.Protocol.Encoding;

namespace Stt.Protocol.Fuzz;

/// <summary>
/// Scans the input as a stream of frames, on one span and on a two-segment sequence split at a point taken from the
/// input, and checks that both agree, that a valid header re-encodes to the same bytes, and that a rejected or
/// incomplete frame leaves the sequence untouched. Each complete frame's body goes through the message readers.
/// </summary>
internal static class FrameTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        int maxBodyLength = input.IsEmpty || (input[0] & 1) == 0 ? FrameHeader.MaxBodyLength : 1200;
        int split = input.IsEmpty ? 0 : input[^1] % (input.Length + 1);
        ReadOnlySequence<byte> buffer = FuzzSegment.Join(input[..split].ToArray(), input[split..].ToArray());
        Span<byte> encoded = stackalloc byte[FrameHeader.MaxSize];
        int offset = 0;

        while (true)
        {
            ReadOnlySpan<byte> remaining = input[offset..];
            OperationStatus spanStatus = FrameScanner.TryReadFrame(remaining, maxBodyLength, out FrameHeader spanHeader, out int frameLength, out FrameViolation spanViolation);

            ReadOnlySequence<byte> before = buffer;
            OperationStatus status = FrameScanner.TryReadFrame(ref buffer, maxBodyLength, out FrameHeader header, out ReadOnlySequence<byte> frame, out FrameViolation violation);

            FuzzFindingException.ThrowUnless(status == spanStatus, "Span and sequence scans return different statuses.");
            FuzzFindingException.ThrowUnless(header == spanHeader, "Span and sequence scans decode different headers.");
            FuzzFindingException.ThrowUnless(violation == spanViolation, "Span and sequence scans report different violations.");
            FuzzFindingException.ThrowUnless((status == OperationStatus.InvalidData) == (violation != FrameViolation.None), "A violation is reported without InvalidData, or the reverse.");
            if (status != OperationStatus.Done)
            {
                FuzzFindingException.ThrowUnless(before.Start.Equals(buffer.Start) && before.Length == buffer.Length, "A scan that did not finish moved the buffer.");
                FuzzFindingException.ThrowUnless(frame.IsEmpty, "A scan that did not finish returned a frame.");
                return;
            }

            FuzzFindingException.ThrowUnless(frame.Length == frameLength && buffer.Length == before.Length - frameLength, "The frame or the advanced buffer has the wrong length.");
            FuzzFindingException.ThrowUnless(frame.ToArray().AsSpan().SequenceEqual(remaining[..frameLength]), "The frame slice holds other bytes than the input.");

            int headerSize = FrameWriter.WriteHeader(encoded, header);
            FuzzFindingException.ThrowUnless(encoded[..headerSize].SequenceEqual(remaining[..headerSize]), "A valid header does not re-encode to its own bytes.");
            FuzzFindingException.ThrowUnless(headerSize + header.BodyLength == frameLength && header.BodyLength <= maxBodyLength, "The frame length disagrees with the header.");

            ReadOnlySpan<byte> body = remaining.Slice(headerSize, header.BodyLength);
            if (!body.IsEmpty)
            {
                ReadBodies(body);
            }

            offset += frameLength;
        }
    }

    private static void ReadBodies(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new ControlMessageReader(body);
            while (reader.TryRead(out ControlMessage message))
            {
                foreach (SequenceRange range in message.AckRanges)
                {
                    FuzzFindingException.ThrowUnless(range.Start <= range.End && range.End <= message.Largest, "An ACK range is out of order.");
                }
            }
        }
        catch (ProtocolViolationException)
        {
        }

        try
        {
            var reader = new StreamControlMessageReader(body);
            while (reader.TryRead(out _))
            {
            }
        }
        catch (ProtocolViolationException)
        {
        }

        if (StreamDataCodec.TryReadOffset(body, out ulong offset, out int consumed))
        {
            FuzzFindingException.ThrowUnless(offset + (ulong)(body.Length - consumed) <= StreamDataCodec.MaxOffset, "DATA ends past the largest offset.");
        }
    }
}

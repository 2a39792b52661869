using Stt.Protocol.Encoding;

namespace Stt.Protocol.Fuzz;

/// <summary>
/// Reads the input as CONTROL and as STREAM_CONTROL plaintext. Encodings are canonical, so every message that is
/// read must re-encode, through <see cref="ControlMessageWriter"/>, to exactly the bytes it was read from.
/// </summary>
internal static class ControlTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        Span<byte> encoded = stackalloc byte[ControlMessageWriter.MaxAckSize];
        ReadControl(input, encoded);
        ReadStreamControl(input, encoded);
    }

    private static void ReadControl(ReadOnlySpan<byte> input, Span<byte> encoded)
    {
        Span<SequenceRange> ranges = stackalloc SequenceRange[ControlMessageWriter.MaxAckRanges];
        try
        {
            var reader = new ControlMessageReader(input);
            int start = 0;
            while (reader.TryRead(out ControlMessage message))
            {
                int written;
                switch (message.Kind)
                {
                    case ControlMessageKind.Ping:
                        written = ControlMessageWriter.WritePing(encoded);
                        break;
                    case ControlMessageKind.MaxData:
                        written = ControlMessageWriter.WriteMaxData(encoded, message.Value);
                        break;
                    case ControlMessageKind.MaxStreams:
                        written = ControlMessageWriter.WriteMaxStreams(encoded, message.Value);
                        break;
                    case ControlMessageKind.Close:
                        written = ControlMessageWriter.WriteClose(encoded, message.ErrorCode, message.Reason);
                        break;
                    default:
                        int count = 0;
                        foreach (SequenceRange range in message.AckRanges)
                        {
                            ranges[count++] = range;
                        }

                        FuzzFindingException.ThrowUnless(count == message.AckRangeCount, "An ACK enumerates a different number of ranges than it declares.");
                        written = ControlMessageWriter.WriteAck(encoded, ranges[..count], message.AckDelayMicroseconds);
                        break;
                }

                FuzzFindingException.ThrowUnless(
                    encoded[..written].SequenceEqual(input[start..reader.BytesConsumed]),
                    "A CONTROL message does not re-encode to its own bytes.");
                start = reader.BytesConsumed;
            }

            FuzzFindingException.ThrowUnless(start == input.Length, "The CONTROL reader stopped before the end.");
        }
        catch (ProtocolViolationException e)
        {
            FuzzFindingException.ThrowUnless(
                e.ErrorCode is ProtocolErrorCode.ProtocolViolation or ProtocolErrorCode.FrameSizeError,
                "A CONTROL violation carries an unexpected error code.");
        }
    }

    private static void ReadStreamControl(ReadOnlySpan<byte> input, Span<byte> encoded)
    {
        try
        {
            var reader = new StreamControlMessageReader(input);
            int start = 0;
            while (reader.TryRead(out StreamControlMessage message))
            {
                int written = message.Kind switch
                {
                    StreamControlMessageKind.ResetStream => ControlMessageWriter.WriteResetStream(encoded, message.ApplicationErrorCode, message.FinalSize),
                    StreamControlMessageKind.StopSending => ControlMessageWriter.WriteStopSending(encoded, message.ApplicationErrorCode),
                    _ => ControlMessageWriter.WriteMaxStreamData(encoded, message.Value),
                };
                FuzzFindingException.ThrowUnless(
                    encoded[..written].SequenceEqual(input[start..reader.BytesConsumed]),
                    "A STREAM_CONTROL message does not re-encode to its own bytes.");
                start = reader.BytesConsumed;
            }
        }
        catch (ProtocolViolationException e)
        {
            FuzzFindingException.ThrowUnless(e.ErrorCode == ProtocolErrorCode.ProtocolViolation, "A STREAM_CONTROL violation carries an unexpected error code.");
        }
    }
}

using Stt.Protocol.Encoding;
using Stt.Protocol.Protection;
using Stt.Protocol.Recovery;
using Stt.Protocol.Sessions.Internal;
using Stt.Protocol.Streams;

namespace Stt.Protocol.Sessions;

public sealed partial class Session
{
    // An ACK-only frame is never acknowledged by itself; every few of them carry a PING so the peer acknowledges them
    // and the loss detector can forget them (RFC 9000, section 13.2.4).
    private const int AckOnlyFramesPerPing = 8;

    // Frames kept free in the loss detector for ACKs and probes when stream data fills it.
    private const int ReservedTrackerSlots = 4;

    private static int ControlHeaderSize => FrameSealer.GetHeaderSize(0);

    /// <summary>Writes the next frame this session has to send into <paramref name="destination"/>.</summary>
    /// <param name="destination">
    /// Room for one frame; its length is the largest frame the transport carries (for UDP, the datagram budget).
    /// </param>
    /// <returns>The frame's length, or 0 when there is nothing to send now.</returns>
    /// <remarks>
    /// Call it until it returns 0 after every <see cref="Receive"/>, <see cref="OnTimer"/> and stream write. Order:
    /// handshake messages, CLOSE, ACK, probes and keep-alives, stream control, then stream data with lost data first.
    /// </remarks>
    public int WriteNextFrame(Span<byte> destination)
    {
        switch (State)
        {
            case SessionState.Closed:
                return 0;
            case SessionState.Handshake:
                return WriteHandshakeFrame(destination);
        }

        if (_handshakeSendPending)
        {
            return WriteHandshakeFrame(destination);
        }

        try
        {
            return State == SessionState.Closing ? WriteCloseFrame(destination) : WriteActiveFrame(destination);
        }
        catch (ProtocolViolationException violation) when (violation.ErrorCode == ProtocolErrorCode.AeadLimitReached)
        {
            // The sealer refuses every further frame under an exhausted key, CLOSE included (section 8).
            CloseCode = ProtocolErrorCode.AeadLimitReached;
            EnterClosed();
            return 0;
        }
    }

    private int WriteActiveFrame(Span<byte> destination)
    {
        long now = _time.GetTimestamp();
        if (_sent!.RemainingCapacity == 0)
        {
            return 0;
        }

        if (_acks!.ShouldSendAck(now))
        {
            return WriteAckFrame(destination, now);
        }

        if (_probesPending > 0 || now >= After(_lastAckElicitingSentAt, _options.KeepAliveInterval))
        {
            // A probe or keep-alive carries new data when there is some, and is a PING otherwise (RFC 9002, 6.2.4).
            _probesPending = Math.Max(0, _probesPending - 1);
            int written = _sent.RemainingCapacity > ReservedTrackerSlots ? WriteStreamFrame(destination, now) : 0;
            return written > 0 ? written : WritePingFrame(destination, now);
        }

        return _sent.RemainingCapacity > ReservedTrackerSlots ? WriteCongestionControlledFrame(destination, now) : 0;
    }

    // Stream data and stream control wait for the congestion window and the pacer; ACKs, probes and CLOSE do not
    // (RFC 9002, section 7).
    private int WriteCongestionControlledFrame(Span<byte> destination, long now)
    {
        int datagram = _options.Congestion.MaxDatagramSize;
        _pacingDeadline = long.MaxValue;
        if (!_congestion!.CanSend(datagram))
        {
            _congestion.SetAppLimited(false);
            return 0;
        }

        // A frame whose pacing time falls within the timer granularity goes now: no timer fires that precisely, and
        // waiting for one would cut the rate to one burst per timer tick (RFC 9002, section 7.7).
        long sendAt = _pacer!.GetNextSendTimestamp(now, datagram);
        if (sendAt > After(now, _options.Recovery.TimerGranularity))
        {
            _pacingDeadline = sendAt;
            return 0;
        }

        int written = WriteStreamFrame(destination, now);
        _congestion.SetAppLimited(written == 0);
        return written;
    }

    private int WriteStreamFrame(Span<byte> destination, long now) =>
        _streams!.TryGetPendingControl(out StreamControlItem item)
            ? WriteStreamControlFrame(destination, item, now)
            : WriteDataFrame(destination, now);

    private int WriteAckFrame(Span<byte> destination, long now)
    {
        Span<SequenceRange> ranges = stackalloc SequenceRange[RecoveryOptions.MaxAckRangesLimit];
        int count = _acks!.WriteAckRanges(ranges, now, out ulong largest, out TimeSpan delay);
        ulong delayMicroseconds = (ulong)Math.Max(0, delay.Ticks / TimeSpan.TicksPerMicrosecond);
        Span<byte> plaintext = ControlPlaintext(destination);
        int length = ControlMessageWriter.WriteAck(plaintext, ranges[..count], delayMicroseconds);
        if (length == 0)
        {
            return 0;
        }

        // Section 8: a sender waiting to rotate needs an acknowledgement, which an ACK-only frame never draws.
        bool withPing = ++_ackOnlyFramesSincePing >= AckOnlyFramesPerPing || _sealer!.IsRotationPending;
        if (withPing)
        {
            int ping = ControlMessageWriter.WritePing(plaintext[length..]);
            withPing = ping > 0;
            length += ping;
        }

        if (withPing)
        {
            _ackOnlyFramesSincePing = 0;
        }

        int written = Seal(destination, FrameType.Control, FrameFlags.None, 0, length, withPing, SentPayload.ForAck(largest), now);
        _acks.OnAckSent();
        return written;
    }

    private int WritePingFrame(Span<byte> destination, long now)
    {
        int length = ControlMessageWriter.WritePing(ControlPlaintext(destination));
        return length == 0 ? 0 : Seal(destination, FrameType.Control, FrameFlags.None, 0, length, true, SentPayload.ForPing(), now);
    }

    private int WriteCloseFrame(Span<byte> destination)
    {
        if (!_closePending || _sent!.RemainingCapacity == 0)
        {
            return 0;
        }

        long now = _time.GetTimestamp();
        int length = ControlMessageWriter.WriteClose(ControlPlaintext(destination), CloseCode, _closeReason);
        if (length == 0)
        {
            return 0;
        }

        _closePending = false;
        if (_drainDeadline == long.MaxValue)
        {
            TimeSpan probeTimeout = _sent.Rtt.ProbeTimeout;
            _drainDeadline = After(now, probeTimeout + probeTimeout + probeTimeout);
        }

        return Seal(destination, FrameType.Control, FrameFlags.None, 0, length, false, SentPayload.ForClose(), now);
    }

    private int WriteStreamControlFrame(Span<byte> destination, in StreamControlItem item, long now)
    {
        int headerSize = FrameSealer.GetHeaderSize(item.StreamId);
        Span<byte> plaintext = Plaintext(destination, headerSize);
        int length = item.Kind switch
        {
            StreamControlKind.MaxData => ControlMessageWriter.WriteMaxData(plaintext, item.Value),
            StreamControlKind.MaxStreams => ControlMessageWriter.WriteMaxStreams(plaintext, item.Value),
            StreamControlKind.MaxStreamData => ControlMessageWriter.WriteMaxStreamData(plaintext, item.Value),
            StreamControlKind.ResetStream => ControlMessageWriter.WriteResetStream(plaintext, item.ErrorCode, item.Value),
            StreamControlKind.Discard => ControlMessageWriter.WriteDiscard(plaintext, item.Value),
            _ => ControlMessageWriter.WriteStopSending(plaintext, item.ErrorCode),
        };
        if (length == 0)
        {
            _streams!.OnControlLost(item);
            return 0;
        }

        FrameType type = item.Kind is StreamControlKind.MaxData or StreamControlKind.MaxStreams
            ? FrameType.Control
            : FrameType.StreamControl;
        return Seal(destination, type, FrameFlags.None, item.StreamId, length, true, SentPayload.ForControl(item), now);
    }

    private int WriteDataFrame(Span<byte> destination, long now)
    {
        // The stream, and so the header's varint length, is known only once a chunk is chosen: lay the plaintext out
        // after the shortest header and move it right in the rare case of a stream ID of 64 or more.
        int shortHeader = FrameHeader.FixedSize + 1;
        int budget = destination.Length - FrameHeader.MaxSize - FrameHeader.TagSize;
        if (budget <= Varint.MaxLength)
        {
            return 0;
        }

        budget = Math.Min(budget, FrameSealer.MaxPlaintextLength);
        if (!_streams!.TryGetNextData(destination.Slice(shortHeader, budget), out StreamChunk chunk))
        {
            return 0;
        }

        int headerSize = FrameSealer.GetHeaderSize(chunk.StreamId);
        if (headerSize != shortHeader)
        {
            destination.Slice(shortHeader + chunk.DataStart, chunk.Length).CopyTo(destination[(headerSize + chunk.DataStart)..]);
        }

        StreamDataCodec.WriteOffset(destination[headerSize..], chunk.Offset);
        FrameFlags flags = chunk.Fin ? FrameFlags.Fin : FrameFlags.None;
        if (chunk.IsRetransmission)
        {
            _framesRetransmitted++;
        }

        return Seal(destination, FrameType.Data, flags, chunk.StreamId, chunk.PayloadLength, true, SentPayload.ForData(chunk), now);
    }

    private int Seal(Span<byte> destination, FrameType type, FrameFlags flags, int streamId, int plaintextLength, bool ackEliciting, in SentPayload payload, long now)
    {
        int length = _sealer!.Seal(destination, type, flags, streamId, plaintextLength, out ulong sequence);
        _sent!.OnFrameSent(sequence, now, length, ackEliciting, payload);
        _congestion!.OnPacketSent(now, length, ackEliciting);
        if (ackEliciting)
        {
            _lastAckElicitingSentAt = now;
            _pacer!.OnPacketSent(now, length);
        }

        CountSent(length);
        return length;
    }

    private void CountSent(int length)
    {
        _framesSent++;
        _bytesSent += length;
    }

    private static Span<byte> ControlPlaintext(Span<byte> destination) => Plaintext(destination, ControlHeaderSize);

    private static Span<byte> Plaintext(Span<byte> destination, int headerSize)
    {
        int room = destination.Length - headerSize - FrameHeader.TagSize;
        return room <= 0 ? [] : destination.Slice(headerSize, Math.Min(room, FrameSealer.MaxPlaintextLength));
    }
}

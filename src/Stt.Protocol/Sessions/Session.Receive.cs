using System.Buffers;
using Stt.Protocol.Encoding;
using Stt.Protocol.Protection;
using Stt.Protocol.Recovery;

namespace Stt.Protocol.Sessions;

public sealed partial class Session
{
    /// <summary>Processes one received frame, decrypting it in place.</summary>
    /// <param name="frame">Exactly one frame: header and body.</param>
    /// <returns>What became of the frame. A frame that is not accepted changes nothing but the drop counter.</returns>
    /// <remarks>
    /// A frame that authenticates but breaks the protocol closes the session with the matching error code; the
    /// CLOSE frame then comes out of <see cref="WriteNextFrame"/>.
    /// </remarks>
    public SessionReceiveStatus Receive(Span<byte> frame)
    {
        if (State == SessionState.Closed)
        {
            return SessionReceiveStatus.Closed;
        }

        if (FrameScanner.TryReadFrame(frame, _options.MaxFrameBodyLength, out FrameHeader header, out int length) != OperationStatus.Done
            || length != frame.Length)
        {
            return Drop(SessionReceiveStatus.Malformed);
        }

        if (header.Type is FrameType.Handshake or FrameType.Auth)
        {
            return ReceiveHandshakeFrame(header, frame);
        }

        if (State == SessionState.Handshake)
        {
            return Drop(SessionReceiveStatus.Unexpected);
        }

        OpenStatus opened = _opener!.TryOpen(frame, header, out int plaintextOffset, out int plaintextLength);
        switch (opened)
        {
            case OpenStatus.Ok:
                break;
            case OpenStatus.AeadLimitReached:
                CloseCode = ProtocolErrorCode.AeadLimitReached;
                EnterClosed();
                return SessionReceiveStatus.Closed;
            default:
                return Drop(opened switch
                {
                    OpenStatus.Replay or OpenStatus.TooOld => SessionReceiveStatus.Replay,
                    OpenStatus.KeyExpired => SessionReceiveStatus.KeyExpired,
                    OpenStatus.WrongSession => SessionReceiveStatus.WrongSession,
                    _ => SessionReceiveStatus.AuthFailed,
                });
        }

        long now = _time.GetTimestamp();
        _lastReceivedAt = now;
        _lastActivityAt = _time.GetUtcNow();
        if (_responder is not null)
        {
            // An encrypted frame from the initiator proves it has FINAL: no AUTH_PROOF retransmission will follow.
            _responder = null;
            _handshakeFrame = null;
            _handshakeSendPending = false;
        }

        Span<byte> plaintext = frame.Slice(plaintextOffset, plaintextLength);
        bool ackEliciting = true;
        try
        {
            switch (header.Type)
            {
                case FrameType.Data:
                    ReceiveData(header, plaintext);
                    break;
                case FrameType.Control:
                    ackEliciting = ReceiveControl(plaintext, now);
                    break;
                default:
                    ReceiveStreamControl(header.StreamId, plaintext);
                    break;
            }

            if (State != SessionState.Closed)
            {
                _acks!.OnFrameReceived(header.Sequence, ackEliciting, now);
            }
        }
        catch (ProtocolViolationException violation)
        {
            CloseForViolation(violation);
        }

        if (State == SessionState.Closing && !_closePending)
        {
            // Section 13: a closing peer answers further frames with CLOSE only.
            _closePending = true;
        }

        return Accept(frame.Length);
    }

    private void ReceiveData(in FrameHeader header, ReadOnlySpan<byte> plaintext)
    {
        if (!StreamDataCodec.TryReadOffset(plaintext, out ulong offset, out int consumed))
        {
            ProtocolViolationException.Throw(ProtocolErrorCode.ProtocolViolation, "DATA frame without a valid offset.");
        }

        if (State == SessionState.Active)
        {
            _streams!.OnData(header.StreamId, offset, plaintext[consumed..], (header.Flags & FrameFlags.Fin) != 0);
        }
    }

    private bool ReceiveControl(ReadOnlySpan<byte> plaintext, long now)
    {
        bool ackEliciting = false;
        var reader = new ControlMessageReader(plaintext);
        while (reader.TryRead(out ControlMessage message))
        {
            ackEliciting |= message.IsAckEliciting;
            switch (message.Kind)
            {
                case ControlMessageKind.Ack:
                    ReceiveAck(message, now);
                    break;
                case ControlMessageKind.Close:
                    CloseCode = message.ErrorCode;
                    ClosedByPeer = true;
                    EnterClosed();
                    return false;
                case ControlMessageKind.MaxData when State == SessionState.Active:
                    _streams!.OnMaxData(message.Value);
                    break;
                case ControlMessageKind.MaxStreams when State == SessionState.Active:
                    _streams!.OnMaxStreams(message.Value);
                    break;
                default:
                    break;
            }
        }

        return ackEliciting;
    }

    private void ReceiveAck(in ControlMessage message, long now)
    {
        Span<SequenceRange> ranges = stackalloc SequenceRange[RecoveryOptions.MaxAckRangesLimit];
        int count = 0;
        foreach (SequenceRange range in message.AckRanges)
        {
            ranges[count++] = range;
        }

        // Section 9: the delay is in microseconds; saturate rather than overflow TimeSpan.
        ulong delayMicroseconds = message.AckDelayMicroseconds;
        TimeSpan delay = delayMicroseconds >= (ulong)(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)
            ? TimeSpan.MaxValue
            : TimeSpan.FromMicroseconds(delayMicroseconds);
        var sink = new RecoverySink(this, now);
        _sent!.OnAckReceived(ranges[..count], delay, now, ref sink);
        if (State == SessionState.Active)
        {
            UpdatePacer();
        }
    }

    private void ReceiveStreamControl(int streamId, ReadOnlySpan<byte> plaintext)
    {
        var reader = new StreamControlMessageReader(plaintext);
        while (reader.TryRead(out StreamControlMessage message))
        {
            if (State != SessionState.Active)
            {
                continue;
            }

            switch (message.Kind)
            {
                case StreamControlMessageKind.ResetStream:
                    _streams!.OnResetStream(streamId, message.ApplicationErrorCode, message.FinalSize);
                    break;
                case StreamControlMessageKind.StopSending:
                    _streams!.OnStopSending(streamId, message.ApplicationErrorCode);
                    break;
                case StreamControlMessageKind.Discard:
                    _streams!.OnDiscard(streamId, message.Offset);
                    break;
                default:
                    _streams!.OnMaxStreamData(streamId, message.Value);
                    break;
            }
        }
    }

    private SessionReceiveStatus Accept(int length)
    {
        _framesReceived++;
        _bytesReceived += length;
        return SessionReceiveStatus.Accepted;
    }

    private SessionReceiveStatus Drop(SessionReceiveStatus reason)
    {
        _framesDropped++;
        return reason;
    }
}

using Stt.Protocol.Recovery;

namespace Stt.Protocol.Sessions;

public sealed partial class Session
{
    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value at which <see cref="OnTimer"/> is next due.</summary>
    /// <returns>A timestamp; <see cref="long.MaxValue"/> when no timer runs. A value at or before now means due now.</returns>
    public long GetNextDeadline()
    {
        switch (State)
        {
            case SessionState.Closed:
                return long.MaxValue;
            case SessionState.Handshake:
                return GetHandshakeDeadline();
            case SessionState.Closing:
                return _drainDeadline;
        }

        long deadline = Math.Min(_acks!.GetAckDeadline(), _sent!.GetLossDetectionDeadline());
        deadline = Math.Min(deadline, After(_lastAckElicitingSentAt, _options.KeepAliveInterval));
        deadline = Math.Min(deadline, _pacingDeadline);
        return Math.Min(deadline, After(_lastReceivedAt, _options.IdleTimeout));
    }

    /// <summary>Runs whatever timers are due: handshake retransmission and timeout, loss detection, probes, idle timeout, drain.</summary>
    /// <remarks>Afterwards, call <see cref="WriteNextFrame"/> until it returns 0.</remarks>
    public void OnTimer()
    {
        long now = _time.GetTimestamp();
        switch (State)
        {
            case SessionState.Closed:
                return;
            case SessionState.Handshake:
                OnHandshakeTimer(now);
                return;
            case SessionState.Closing:
                if (now >= _drainDeadline)
                {
                    EnterClosed();
                }

                return;
        }

        if (now >= After(_lastReceivedAt, _options.IdleTimeout))
        {
            // Section 13: an idle session closes silently; the peer has gone or will time out the same way.
            CloseCode = ProtocolErrorCode.IdleTimeout;
            EnterClosed();
            return;
        }

        if (now < _sent!.GetLossDetectionDeadline())
        {
            return;
        }

        var sink = new RecoverySink(this, now);
        LossTimerOutcome outcome = _sent.OnLossDetectionTimeout(now, ref sink);
        UpdatePacer();
        // Probes continue with backoff however many probe timeouts pass in a row: the idle timeout, not a probe
        // count, ends a session whose peer went silent, so a path outage shorter than it is survived.
        if (outcome is LossTimerOutcome.SendProbes or LossTimerOutcome.PeerUnresponsive)
        {
            _probesPending = 2;
        }
    }
}

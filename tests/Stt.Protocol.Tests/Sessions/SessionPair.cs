using Microsoft.Extensions.Time.Testing;
using Stt.Protocol.Handshake;
using Stt.Protocol.Identity;
using Stt.Protocol.Sessions;

namespace Stt.Protocol.Tests.Sessions;

/// <summary>
/// An initiator and a responder joined by two impaired in-memory links on a virtual clock. The pump moves frames,
/// fires timers when nothing else is due, and gives the test a callback per turn to drive the streams.
/// </summary>
public sealed class SessionPair : IDisposable
{
    private readonly byte[] _frame;
    private readonly NodeIdentity _initiatorIdentity;
    private readonly NodeIdentity _responderIdentity;
    private readonly SharedSeed _initiatorSeed;
    private readonly SharedSeed _responderSeed;
    private readonly HelloReplayCache _replayCache;
    private readonly SessionOptions _options;
    private readonly DateTimeOffset _start;

    public SessionPair(
        SessionOptions options,
        LinkImpairment? toResponder = null,
        LinkImpairment? toInitiator = null,
        int seed = 1,
        int frameSize = 4096,
        byte[]? responderSharedSeed = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        _start = Time.GetUtcNow();
        _options = options with { Congestion = options.Congestion with { MaxDatagramSize = frameSize } };
        _frame = new byte[frameSize];
        byte[] shared = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray();
        _initiatorIdentity = new NodeIdentity(Enumerable.Repeat((byte)0xA1, 32).ToArray());
        _responderIdentity = new NodeIdentity(Enumerable.Repeat((byte)0xB2, 32).ToArray());
        _initiatorSeed = new SharedSeed(shared);
        _responderSeed = new SharedSeed(responderSharedSeed ?? shared);
        _replayCache = new HelloReplayCache(_options.Handshake, Time);
        ToResponder = new ImpairedLink(toResponder ?? LinkImpairment.None, seed);
        ToInitiator = new ImpairedLink(toInitiator ?? LinkImpairment.None, seed + 1);
        Initiator = Session.Connect(_initiatorIdentity, _initiatorSeed, _options, Time);
    }

    public FakeTimeProvider Time { get; }

    public ImpairedLink ToResponder { get; }

    public ImpairedLink ToInitiator { get; }

    public Session Initiator { get; }

    public Session? Responder { get; private set; }

    public int HandshakesAccepted { get; private set; }

    public int HellosRefused { get; private set; }

    public NodeIdentity InitiatorIdentity => _initiatorIdentity;

    public NodeIdentity ResponderIdentity => _responderIdentity;

    public TimeSpan Elapsed => Time.GetUtcNow() - _start;

    /// <summary>Pumps until <paramref name="done"/> holds, or the turn or virtual-time budget runs out.</summary>
    /// <param name="done">The goal.</param>
    /// <param name="turn">Called once per turn, before frames move.</param>
    /// <param name="maxVirtualTime">Budget of virtual time; 5 minutes when null.</param>
    /// <param name="maxTurns">Budget of turns.</param>
    /// <param name="maxStep">The longest single clock advance, for tests whose turn acts on a schedule; unbounded when null.</param>
    /// <returns>Whether <paramref name="done"/> held.</returns>
    public bool Run(Func<bool> done, Action? turn = null, TimeSpan? maxVirtualTime = null, int maxTurns = 2_000_000, TimeSpan? maxStep = null)
    {
        TimeSpan limit = Elapsed + (maxVirtualTime ?? TimeSpan.FromMinutes(5));
        for (int i = 0; i < maxTurns && Elapsed <= limit; i++)
        {
            turn?.Invoke();
            bool moved = Flush(Initiator, ToResponder) | (Responder is not null && Flush(Responder, ToInitiator));
            moved |= ToResponder.DeliverDue(Elapsed, (frame, _) => DeliverToResponder(frame)) > 0;
            moved |= ToInitiator.DeliverDue(Elapsed, (frame, _) => Initiator.Receive(frame)) > 0;
            if (done())
            {
                return true;
            }

            if (!moved)
            {
                AdvanceToNextEvent(maxStep ?? TimeSpan.MaxValue);
            }
        }

        return done();
    }

    private void DeliverToResponder(Span<byte> frame)
    {
        if (Responder is not null)
        {
            Responder.Receive(frame);
            return;
        }

        Session? accepted = Session.Accept(frame, _responderIdentity, _responderSeed, _replayCache, out _, _options, Time);
        if (accepted is null)
        {
            HellosRefused++;
            return;
        }

        HandshakesAccepted++;
        Responder = accepted;
    }

    private bool Flush(Session session, ImpairedLink link)
    {
        bool sent = false;
        int written;
        while ((written = session.WriteNextFrame(_frame)) > 0)
        {
            link.Send(_frame.AsSpan(0, written), Elapsed);
            sent = true;
        }

        return sent;
    }

    private void AdvanceToNextEvent(TimeSpan maxStep)
    {
        long now = Time.GetTimestamp();
        long deadline = Math.Min(Initiator.GetNextDeadline(), Responder?.GetNextDeadline() ?? long.MaxValue);
        TimeSpan next = TimeSpan.MaxValue;
        if (deadline != long.MaxValue)
        {
            next = Time.GetElapsedTime(now, Math.Max(now, deadline));
        }

        foreach (TimeSpan? due in new[] { ToResponder.NextDue, ToInitiator.NextDue })
        {
            if (due is { } d)
            {
                next = next < d - Elapsed ? next : d - Elapsed;
            }
        }

        if (next == TimeSpan.MaxValue)
        {
            next = TimeSpan.FromSeconds(1);
        }

        next = next < maxStep ? next : maxStep;

        Time.Advance(next > TimeSpan.Zero ? next : TimeSpan.FromTicks(1));
        if (Initiator.GetNextDeadline() <= Time.GetTimestamp())
        {
            Initiator.OnTimer();
        }

        if (Responder is not null && Responder.GetNextDeadline() <= Time.GetTimestamp())
        {
            Responder.OnTimer();
        }
    }

    public void Dispose()
    {
        Initiator.Dispose();
        Responder?.Dispose();
        _initiatorIdentity.Dispose();
        _responderIdentity.Dispose();
        _initiatorSeed.Dispose();
        _responderSeed.Dispose();
    }
}

using Stt.Server.Distribution;
using Stt.Transport;

namespace Stt.Server.Sessions;

/// <summary>
/// What happens to every established session, whichever transport carries it: the <see cref="SessionManager"/>
/// admits it, then each stream the peer opens is served by the <see cref="StreamRouter"/> on its own task, so a
/// slow or bad stream never holds up the session's others.
/// </summary>
internal sealed class SessionPipeline(SessionManager manager, StreamRouter router)
{
    /// <summary>Admits the session and serves its streams until it closes; returns at once.</summary>
    public void Serve(SttSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        ManagedSession? managed = manager.TryAdmit(session);
        if (managed is not null)
        {
            _ = AcceptStreamsAsync(managed);
        }
    }

    private async Task AcceptStreamsAsync(ManagedSession managed)
    {
        SttSession session = managed.Session;
        while (true)
        {
            int streamId;
            try
            {
                streamId = await session.AcceptStreamAsync().ConfigureAwait(false);
            }
            catch (SessionClosedException)
            {
                return;
            }

            _ = router.ServeAsync(managed, streamId);
        }
    }
}

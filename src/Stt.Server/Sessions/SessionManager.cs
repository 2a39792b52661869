using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Options;
using Stt.Protocol;
using Stt.Server.Configuration;
using Stt.Server.Telemetry;
using Stt.Transport;

namespace Stt.Server.Sessions;

/// <summary>
/// Every established session of the node, whichever transport carries it: admission against the total and
/// per-address limits, lookup and disconnect by session ID, statistics for the admin API, and closing them all
/// at shutdown.
/// </summary>
/// <remarks>
/// Thread-safe. The manager holds one small record per session; the session itself holds no thread and, while idle,
/// no buffer beyond its protocol state.
/// </remarks>
internal sealed partial class SessionManager
{
    private readonly ConcurrentDictionary<ulong, ManagedSession> _sessions = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perSource = new();
    private readonly SessionLimitOptions _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionManager> _logger;
    private int _count;
    private int _udpCount;
    private int _webSocketCount;
    private bool _stopping;

    public SessionManager(IOptions<NodeOptions> options, ILogger<SessionManager> logger, IMeterFactory meterFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _limits = options.Value.Sessions;
        _logger = logger;
        _time = time ?? TimeProvider.System;

        // From the host's factory: the gauge observes this manager and goes away with its host, not with the process.
        meterFactory.Create(ServerTelemetry.Name).CreateObservableGauge(
            "stt.sessions.active",
            () => new Measurement<int>[]
            {
                new(Volatile.Read(ref _udpCount), new KeyValuePair<string, object?>("transport", TransportNames.Udp)),
                new(Volatile.Read(ref _webSocketCount), new KeyValuePair<string, object?>("transport", TransportNames.WebSocket)),
            },
            "{session}",
            "Established sessions, by transport.");
    }

    /// <summary>Established sessions now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Admits an established session, or closes it with <see cref="ProtocolErrorCode.ShuttingDown"/> (the node is
    /// stopping) or <see cref="ProtocolErrorCode.InternalError"/> and the reason <c>busy</c> (a limit is reached).
    /// </summary>
    /// <returns>The session's record, or null when it was refused (the session is then closing).</returns>
    public ManagedSession? TryAdmit(SttSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        string transport = session.TransportName;
        if (IsStopping)
        {
            Reject(session, transport, "shutting_down", ProtocolErrorCode.ShuttingDown, "node shutting down");
            return null;
        }

        IPAddress? source = (session.RemoteEndPoint as IPEndPoint)?.Address;
        if (Interlocked.Increment(ref _count) > _limits.MaxSessions)
        {
            Interlocked.Decrement(ref _count);
            Reject(session, transport, "max_sessions", ProtocolErrorCode.InternalError, "busy: session limit");
            return null;
        }

        if (source is not null && _perSource.AddOrUpdate(source, 1, static (_, n) => n + 1) > _limits.MaxSessionsPerSource)
        {
            ReleaseSource(source);
            Interlocked.Decrement(ref _count);
            Reject(session, transport, "max_per_source", ProtocolErrorCode.InternalError, "busy: per-address session limit");
            return null;
        }

        var managed = new ManagedSession(session, transport, source, _time.GetUtcNow());
        if (!_sessions.TryAdd(session.SessionId, managed))
        {
            // The transport already refuses duplicate IDs; two transports could still both hold one, astronomically rarely.
            if (source is not null)
            {
                ReleaseSource(source);
            }

            Interlocked.Decrement(ref _count);
            Reject(session, transport, "duplicate_id", ProtocolErrorCode.InternalError, "duplicate session ID");
            return null;
        }

        Interlocked.Increment(ref transport == TransportNames.Udp ? ref _udpCount : ref _webSocketCount);
        SessionMetrics.Opened.Add(1, new KeyValuePair<string, object?>("transport", transport));
        _ = session.Completion.ContinueWith(
            static (_, state) =>
            {
                var (manager, record) = ((SessionManager, ManagedSession))state!;
                manager.Remove(record);
            },
            (this, managed),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return managed;
    }

    /// <summary>Whether the node is shutting down (new sessions are refused).</summary>
    public bool IsStopping
    {
        get => Volatile.Read(ref _stopping);
        private set => Volatile.Write(ref _stopping, value);
    }

    /// <summary>Finds a session by its ID.</summary>
    public bool TryGet(ulong sessionId, out ManagedSession? session) => _sessions.TryGetValue(sessionId, out session);

    /// <summary>Every session's record, in no particular order.</summary>
    public IEnumerable<ManagedSession> Sessions => _sessions.Values;

    /// <summary>Closes one session with CLOSE (an operator's disconnect) and returns at once.</summary>
    /// <returns>False when no session has that ID.</returns>
    public bool Disconnect(ulong sessionId, string reason)
    {
        if (!_sessions.TryGetValue(sessionId, out ManagedSession? managed))
        {
            return false;
        }

        SessionLog.Disconnected(_logger, sessionId, reason);
        _ = managed.Session.CloseAsync(ProtocolErrorCode.NoError, reason);
        return true;
    }

    /// <summary>Refuses new sessions from now on.</summary>
    public void BeginStopping() => IsStopping = true;

    /// <summary>Waits until every session has delivered what was written to it (sent and acknowledged), up to the deadline.</summary>
    public async Task WaitForSendsDrainedAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline, _time);
        List<Task> draining = [];
        foreach (ManagedSession managed in _sessions.Values)
        {
            draining.Add(managed.Session.WaitForSendDrainedAsync(timeout.Token));
        }

        try
        {
            await Task.WhenAll(draining).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The deadline passed: the sessions are closed regardless.
        }
    }

    /// <summary>Closes every session with <see cref="ProtocolErrorCode.ShuttingDown"/> and waits for them, up to the deadline.</summary>
    /// <returns>How many sessions were still closing at the deadline.</returns>
    public async Task<int> CloseAllAsync(TimeSpan deadline)
    {
        IsStopping = true;
        List<Task> closing = [];
        foreach (ManagedSession managed in _sessions.Values)
        {
            closing.Add(managed.Session.CloseAsync(ProtocolErrorCode.ShuttingDown, "node shutting down"));
        }

        try
        {
            await Task.WhenAll(closing).WaitAsync(deadline, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Reported through the return value.
        }
        catch (SessionClosedException)
        {
            // A session that closed another way in the meantime is closed all the same.
        }

        int left = 0;
        foreach (Task task in closing)
        {
            if (!task.IsCompleted)
            {
                left++;
            }
        }

        return left;
    }

    private void Remove(ManagedSession managed)
    {
        if (!_sessions.TryRemove(new KeyValuePair<ulong, ManagedSession>(managed.Session.SessionId, managed)))
        {
            return;
        }

        if (managed.Source is not null)
        {
            ReleaseSource(managed.Source);
        }

        Interlocked.Decrement(ref _count);
        Interlocked.Decrement(ref managed.Transport == TransportNames.Udp ? ref _udpCount : ref _webSocketCount);
        SessionMetrics.Closed.Add(
            1,
            new KeyValuePair<string, object?>("transport", managed.Transport),
            new KeyValuePair<string, object?>("code", SessionMetrics.CodeName(managed.Session.CloseCode)));
    }

    private void ReleaseSource(IPAddress source)
    {
        while (true)
        {
            int n = _perSource.GetValueOrDefault(source);
            if (n <= 1)
            {
                if (_perSource.TryRemove(new KeyValuePair<IPAddress, int>(source, n)) || n == 0)
                {
                    return;
                }
            }
            else if (_perSource.TryUpdate(source, n - 1, n))
            {
                return;
            }
        }
    }

    private void Reject(SttSession session, string transport, string reason, ProtocolErrorCode code, string message)
    {
        SessionMetrics.Rejected.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("reason", reason));
        SessionLog.Rejected(_logger, session.SessionId, transport, reason);
        _ = session.CloseAsync(code, message);
    }
}

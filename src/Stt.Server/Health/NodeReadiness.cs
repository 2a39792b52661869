namespace Stt.Server.Health;

/// <summary>
/// Whether the node takes new work: not ready while it starts (seeds, content store, listeners), ready once every
/// listener is up, and not ready again from the moment shutdown begins, so a load balancer stops sending clients
/// before sessions are closed.
/// </summary>
internal sealed class NodeReadiness
{
    private const int Starting = 0;
    private const int Ready = 1;
    private const int Stopping = 2;
    private int _state;
    private int _pendingListeners;

    /// <summary>Whether <c>/readyz</c> answers 200.</summary>
    public bool IsReady => Volatile.Read(ref _state) == Ready;

    /// <summary>Whether shutdown has begun.</summary>
    public bool IsStopping => Volatile.Read(ref _state) == Stopping;

    /// <summary>The state's name for the probe's body.</summary>
    public string Status => Volatile.Read(ref _state) switch
    {
        Ready => "ready",
        Stopping => "stopping",
        _ => "starting",
    };

    /// <summary>Registers a listener that must start before the node is ready.</summary>
    public void ExpectListener() => Interlocked.Increment(ref _pendingListeners);

    /// <summary>A listener started; the last one makes the node ready, unless it is already stopping.</summary>
    public void ListenerStarted()
    {
        if (Interlocked.Decrement(ref _pendingListeners) == 0)
        {
            Interlocked.CompareExchange(ref _state, Ready, Starting);
        }
    }

    /// <summary>Shutdown began: the node is not ready from now on.</summary>
    public void BeginStopping() => Volatile.Write(ref _state, Stopping);
}

using System.Threading.Tasks.Sources;

namespace Stt.Transport.Internal;

/// <summary>
/// An auto-reset signal for one waiter at a time: <see cref="Set"/> (under the session lock) wakes the current or the
/// next <see cref="WaitAsync"/>. A stale signal only costs the waiter one extra retry of its operation.
/// </summary>
/// <remarks>
/// Waiting allocates nothing: the signal is its own reusable <see cref="IValueTaskSource"/>. (A <see cref="SemaphoreSlim"/>
/// waited on with a cancellable token allocated a task, a cancellation promise and an async state machine per wait, and
/// woke the waiter through two continuations: a fifth of a fan-out client's time.) Continuations run on the thread pool,
/// never inside <see cref="Set"/>, which runs under the session lock. The waiter must await each wait before the next.
/// </remarks>
internal sealed class AsyncSignal : IValueTaskSource
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private bool _signaled;
    private bool _waiting;

    /// <summary>Wakes the waiter, or lets the next wait complete at once. Safe from any thread.</summary>
    public void Set()
    {
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            if (!_waiting)
            {
                _signaled = true;
                return;
            }

            _waiting = false;
            registration = _registration;
            _registration = default;
        }

        // Unregister does not wait for a callback in progress; that callback finds the wait over and does nothing.
        registration.Unregister();
        _core.SetResult(true);
    }

    /// <summary>Completes once the signal is set, at once if it already was; throws <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> fires first.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        short version;
        lock (_gate)
        {
            if (_signaled)
            {
                _signaled = false;
                return default;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            _core.Reset();
            version = _core.Version;
            _waiting = true;
            _token = cancellationToken;
        }

        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => ((AsyncSignal)state!).OnCanceled(), this);
            lock (_gate)
            {
                if (_waiting)
                {
                    _registration = registration;
                    registration = default;
                }
            }

            // The wait ended while registering: the registration is not needed.
            registration.Dispose();
        }

        return new ValueTask(this, version);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnCanceled()
    {
        CancellationToken token;
        lock (_gate)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
            _registration = default;
            token = _token;
        }

        _core.SetException(new OperationCanceledException(token));
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Stt.Transport.Internal;

/// <summary>
/// An auto-reset signal for one waiter: <see cref="Set"/> (under the session lock) wakes the next or current
/// <see cref="WaitAsync"/>. A stale signal only costs the waiter one extra retry of its operation.
/// </summary>
[SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "SemaphoreSlim holds an OS handle only once AvailableWaitHandle is read, which this type never does.")]
internal sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Signals the waiter. Callers hold the session lock, so the count check and release cannot race each other.</summary>
    public void Set()
    {
        if (_semaphore.CurrentCount == 0)
        {
            _semaphore.Release();
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);
}

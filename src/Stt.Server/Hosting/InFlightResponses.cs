namespace Stt.Server.Hosting;

/// <summary>Counts content responses being sent, so shutdown can let them finish before closing sessions.</summary>
internal sealed class InFlightResponses
{
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _drained;

    /// <summary>Responses being sent now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Marks a response as started; dispose the result when it ends.</summary>
    public Scope Begin()
    {
        lock (_lock)
        {
            _count++;
        }

        return new Scope(this);
    }

    /// <summary>Completes when no response is in flight, or when the timeout passes.</summary>
    public async Task WaitForDrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task drained;
        lock (_lock)
        {
            if (_count == 0)
            {
                return;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        try
        {
            await drained.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The caller goes on to close sessions regardless.
        }
    }

    private void End()
    {
        lock (_lock)
        {
            if (--_count == 0 && _drained is not null)
            {
                _drained.TrySetResult();
                _drained = null;
            }
        }
    }

    /// <summary>One response in flight.</summary>
    internal readonly struct Scope(InFlightResponses owner) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => owner.End();
    }
}

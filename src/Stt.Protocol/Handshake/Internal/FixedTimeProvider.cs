namespace Stt.Protocol.Handshake.Internal;

/// <summary>A clock stopped at one instant, for test vectors.</summary>
internal sealed class FixedTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _now;

    public FixedTimeProvider(DateTimeOffset now)
    {
        _now = now;
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => 0;
}

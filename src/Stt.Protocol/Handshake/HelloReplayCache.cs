using Stt.Protocol.Handshake.Internal;
namespace Stt.Protocol.Handshake;

/// <summary>
/// The responder's memory of recent HELLO ephemeral public keys, shared by all <see cref="HandshakeResponder"/>s of a node
/// (docs/protocol.md, section 6, HELLO step 5).
/// </summary>
/// <remarks>
/// <para>An entry lives for twice <see cref="HandshakeOptions.FreshnessWindow"/>: any HELLO older than that is already
/// stale, so a replay is caught either by the timestamp or by the cache. The cache holds at most
/// <see cref="HandshakeOptions.ReplayCacheCapacity"/> live entries; when it is full, new HELLOs are refused
/// (<see cref="HandshakeStatus.ReplayCacheFull"/>) rather than evicting live entries, which would re-open the replay window.</para>
/// <para>Only HELLOs whose AEAD tag verified reach the cache. Thread-safe.</para>
/// </remarks>
public sealed class HelloReplayCache
{
    private readonly Lock _lock = new();
    private readonly HashSet<EphemeralKey> _entries = [];
    private readonly Queue<(EphemeralKey Key, long AddedAt)> _byAge = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _lifetime;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="options">Capacity and freshness window; defaults to <see cref="HandshakeOptions.Default"/>.</param>
    /// <param name="timeProvider">Clock for entry lifetimes; defaults to <see cref="TimeProvider.System"/>.</param>
    public HelloReplayCache(HandshakeOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= HandshakeOptions.Default;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Capacity = options.ReplayCacheCapacity;
        _lifetime = 2 * options.FreshnessWindow;
    }

    /// <summary>Most live entries.</summary>
    public int Capacity { get; }

    /// <summary>Entries currently held, expired ones included until the next insertion sweeps them out.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="ephemeralPublicKey"/> unless it is already present or the cache is full of live entries.
    /// </summary>
    /// <returns><see cref="HandshakeStatus.Continue"/> when recorded, else <see cref="HandshakeStatus.Replay"/> or
    /// <see cref="HandshakeStatus.ReplayCacheFull"/>.</returns>
    internal HandshakeStatus TryAdd(ReadOnlySpan<byte> ephemeralPublicKey)
    {
        var key = new EphemeralKey(ephemeralPublicKey);
        lock (_lock)
        {
            long now = _timeProvider.GetTimestamp();

            // Entries are queued in insertion order and all live equally long, so the expired ones are at the front.
            while (_byAge.TryPeek(out var oldest) && _timeProvider.GetElapsedTime(oldest.AddedAt, now) > _lifetime)
            {
                _byAge.Dequeue();
                _entries.Remove(oldest.Key);
            }

            if (_entries.Contains(key))
            {
                return HandshakeStatus.Replay;
            }

            if (_entries.Count >= Capacity)
            {
                return HandshakeStatus.ReplayCacheFull;
            }

            _entries.Add(key);
            _byAge.Enqueue((key, now));
            return HandshakeStatus.Continue;
        }
    }
}

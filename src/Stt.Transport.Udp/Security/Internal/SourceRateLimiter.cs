using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Stt.Transport.Udp.Security.Internal;

/// <summary>
/// Limits handshake attempts per source IP address (IPv6: per prefix) with a token bucket, in a table of fixed size
/// (docs/protocol.md, section 15.4).
/// </summary>
/// <remarks>
/// <para>Each source's bucket is kept as a theoretical arrival time (the generic cell rate algorithm, equivalent to a
/// token bucket): one <see cref="long"/> per source, exact in integer clock ticks, refilled by the passing of time alone.</para>
/// <para>The table is set-associative: a source hashes (with a per-process random seed) to one set of eight slots. A new
/// source takes the slot, in its set, whose bucket refilled earliest, which is the stalest source of the set; a slot whose
/// bucket is already full is forgotten with no loss at all. The table is allocated once and never grows, however many
/// spoofed sources send. Thread-safe: sets are guarded by striped locks held for eight comparisons.</para>
/// </remarks>
internal sealed class SourceRateLimiter
{
    private const int Ways = 8;
    private const int MaxLocks = 256;
    private const long Empty = long.MinValue;

    private readonly Entry[] _entries;
    private readonly Lock[] _locks;
    private readonly int _setMask;
    private readonly int _lockMask;
    private readonly long _interval;
    private readonly long _tolerance;
    private readonly ulong _ipv6HighMask;
    private readonly ulong _ipv6LowMask;
    private readonly TimeProvider _timeProvider;
    private int _count;

    /// <summary>Creates an empty table.</summary>
    /// <param name="options">Rate, burst, table capacity and IPv6 prefix length.</param>
    /// <param name="timeProvider">Clock that refills the buckets.</param>
    public SourceRateLimiter(HandshakeGuardOptions options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Capacity = (int)BitOperations.RoundUpToPowerOf2((uint)options.RateLimitTableCapacity);
        _entries = new Entry[Capacity];
        _entries.AsSpan().Fill(new Entry { Tat = Empty });
        int sets = Capacity / Ways;
        _setMask = sets - 1;
        _locks = new Lock[Math.Min(sets, MaxLocks)];
        for (int i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new Lock();
        }

        _lockMask = _locks.Length - 1;
        _interval = Math.Max(1, timeProvider.TimestampFrequency / options.HandshakesPerSecondPerSource);
        _tolerance = (options.HandshakeBurstPerSource - 1) * _interval;
        int prefix = options.Ipv6PrefixLength;
        _ipv6HighMask = prefix >= 64 ? ulong.MaxValue : ulong.MaxValue << (64 - prefix);
        _ipv6LowMask = prefix >= 128 ? ulong.MaxValue : prefix <= 64 ? 0 : ulong.MaxValue << (128 - prefix);
    }

    /// <summary>Slots in the table: <see cref="HandshakeGuardOptions.RateLimitTableCapacity"/> rounded up to a power of two.</summary>
    public int Capacity { get; }

    /// <summary>Slots in use; never more than <see cref="Capacity"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes one handshake attempt from the bucket of <paramref name="source"/>'s IP address.</summary>
    /// <returns>False when the bucket is empty, or the source is not an IP address.</returns>
    public bool TryAcquire(SocketAddress source) =>
        SourceAddress.TryRead(source, out ReadOnlySpan<byte> address, out _) && TryAcquire(address);

    /// <summary>Takes one handshake attempt from the bucket of <paramref name="address"/>.</summary>
    /// <param name="address">A 4-byte IPv4 or 16-byte IPv6 address, as <see cref="SourceAddress.TryRead"/> gives it.</param>
    /// <returns>False when the bucket is empty.</returns>
    public bool TryAcquire(ReadOnlySpan<byte> address)
    {
        // IPv4 is keyed as its IPv4-mapped IPv6 form (RFC 4291, section 2.5.5.2), so the two families never collide.
        ulong high;
        ulong low;
        if (address.Length == 4)
        {
            high = 0;
            low = 0x0000_FFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(address);
        }
        else
        {
            high = BinaryPrimitives.ReadUInt64BigEndian(address) & _ipv6HighMask;
            low = BinaryPrimitives.ReadUInt64BigEndian(address[8..]) & _ipv6LowMask;
        }

        long now = _timeProvider.GetTimestamp();
        int set = HashCode.Combine(high, low) & _setMask;
        Span<Entry> slots = _entries.AsSpan(set * Ways, Ways);
        lock (_locks[set & _lockMask])
        {
            int stalest = 0;
            for (int i = 0; i < slots.Length; i++)
            {
                ref Entry slot = ref slots[i];
                if (slot.Tat != Empty && slot.High == high && slot.Low == low)
                {
                    return Conform(ref slot, now);
                }

                if (slot.Tat < slots[stalest].Tat)
                {
                    stalest = i;
                }
            }

            ref Entry victim = ref slots[stalest];
            if (victim.Tat == Empty)
            {
                Interlocked.Increment(ref _count);
            }

            victim.High = high;
            victim.Low = low;
            victim.Tat = now;
            return Conform(ref victim, now);
        }
    }

    // GCRA: the bucket holds (tolerance - (TAT - now)) / interval + 1 attempts; one conforms while TAT - now <= tolerance.
    private bool Conform(ref Entry slot, long now)
    {
        long tat = Math.Max(slot.Tat, now);
        if (tat - now > _tolerance)
        {
            return false;
        }

        slot.Tat = tat + _interval;
        return true;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Entry
    {
        public ulong High;
        public ulong Low;
        public long Tat;
    }
}

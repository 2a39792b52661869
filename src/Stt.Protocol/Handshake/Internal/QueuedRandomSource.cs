using Stt.Protocol.Crypto;

namespace Stt.Protocol.Handshake.Internal;

/// <summary>
/// A <see cref="RandomSource"/> that hands out fixed byte strings in order, for test vectors: each request must ask
/// for exactly the length of the next queued value.
/// </summary>
internal sealed class QueuedRandomSource : RandomSource
{
    private readonly Queue<byte[]> _values;

    public QueuedRandomSource(params byte[][] values)
    {
        _values = new Queue<byte[]>(values);
    }

    /// <summary>Values not yet handed out.</summary>
    public int Remaining => _values.Count;

    public override void Fill(Span<byte> destination)
    {
        if (!_values.TryDequeue(out byte[]? next) || next.Length != destination.Length)
        {
            throw new InvalidOperationException(
                $"The queued random source was asked for {destination.Length} bytes but holds no value of that length next.");
        }

        next.CopyTo(destination);
    }
}

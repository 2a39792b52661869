namespace Stt.Protocol.Encoding;

/// <summary>An inclusive range of frame sequence numbers, as an ACK names them.</summary>
/// <param name="Start">Smallest sequence number in the range.</param>
/// <param name="End">Largest sequence number in the range; at least <paramref name="Start"/>.</param>
public readonly record struct SequenceRange(ulong Start, ulong End)
{
    /// <summary>Whether <paramref name="sequence"/> lies in the range.</summary>
    public bool Contains(ulong sequence) => sequence >= Start && sequence <= End;
}

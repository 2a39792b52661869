using System.Buffers;

namespace Stt.Testing.Buffers;

/// <summary>One way of laying a fixture's bytes out as a <see cref="ReadOnlySequence{T}"/>.</summary>
/// <remarks>Segments are fresh copies, so a parser that writes to or reads past its input cannot affect the fixture.</remarks>
public sealed class Segmentation
{
    internal Segmentation(string name, byte[] fixture, ReadOnlySequence<byte> sequence)
    {
        Name = name;
        Fixture = fixture;
        Sequence = sequence;
    }

    /// <summary>Short description of the layout, such as <c>split@5</c>; shown in test names.</summary>
    public string Name { get; }

    /// <summary>The bytes the sequence holds, as one array.</summary>
    public byte[] Fixture { get; }

    /// <summary>The fixture's bytes in this layout.</summary>
    public ReadOnlySequence<byte> Sequence { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} of {Fixture.Length} bytes";
}

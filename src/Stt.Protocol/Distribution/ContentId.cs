using System.Buffers.Binary;

namespace Stt.Protocol.Distribution;

/// <summary>
/// A content ID: the SHA-256 of a content manifest's canonical bytes (docs/content.md).
/// </summary>
/// <remarks>
/// Stored as four big-endian words, so equality is four machine operations; <see cref="CopyTo"/> gives the bytes
/// in wire order. The default value is 32 zero bytes.
/// </remarks>
public readonly struct ContentId : IEquatable<ContentId>
{
    /// <summary>Length in bytes.</summary>
    public const int Length = 32;

    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;

    private ContentId(ReadOnlySpan<byte> bytes)
    {
        _word0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _word1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _word2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _word3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>Creates a content ID from a 32-byte SHA-256 digest.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not exactly 32 bytes long.</exception>
    public static ContentId FromHash(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != Length)
        {
            throw new ArgumentException($"A content ID is exactly {Length} bytes; got {sha256.Length}.", nameof(sha256));
        }

        return new ContentId(sha256);
    }

    /// <summary>Parses 64 hexadecimal digits (either case).</summary>
    /// <returns><see langword="false"/>, with the default ID, when <paramref name="hex"/> is null or not 64 hexadecimal digits.</returns>
    public static bool TryParse(string? hex, out ContentId id)
    {
        id = default;
        if (hex is null || hex.Length != 2 * Length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        id = new ContentId(bytes);
        return true;
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(ContentId left, ContentId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ContentId left, ContentId right) => !left.Equals(right);

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _word3);
    }

    /// <inheritdoc/>
    public bool Equals(ContentId other) =>
        _word0 == other._word0 && _word1 == other._word1 && _word2 == other._word2 && _word3 == other._word3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ContentId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_word0, _word1, _word2, _word3);

    /// <summary>The 64 lowercase hexadecimal digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

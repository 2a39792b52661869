using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Stt.Protocol.Distribution;

/// <summary>
/// The 32-byte identifier of a piece of content: the SHA-256 of its manifest's bytes (docs/distribution.md,
/// "Content IDs"; the manifest format is in docs/content.md).
/// </summary>
/// <remarks>
/// A value type holding the 32 bytes inline (four big-endian 64-bit words), so copying, comparing and hashing
/// allocate nothing. <see langword="default"/> is the all-zero identifier. The text form is 64 lower-case hex digits.
/// </remarks>
public readonly struct ContentId : IEquatable<ContentId>
{
    /// <summary>Length of an identifier in bytes.</summary>
    public const int Length = 32;

    /// <summary>Length of the hex text form in characters.</summary>
    public const int HexLength = Length * 2;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    /// <summary>Creates an identifier from exactly <see cref="Length"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not <see cref="Length"/> bytes long.</exception>
    public ContentId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A content ID is {Length} bytes.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>Wraps an already computed SHA-256 hash (exactly <see cref="Length"/> bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="hash"/> is not <see cref="Length"/> bytes long.</exception>
    public static ContentId FromHash(ReadOnlySpan<byte> hash) => new(hash);

    /// <summary>Computes the identifier of a manifest: the SHA-256 of <paramref name="manifest"/>.</summary>
    public static ContentId Compute(ReadOnlySpan<byte> manifest)
    {
        Span<byte> hash = stackalloc byte[Length];
        SHA256.HashData(manifest, hash);
        return new ContentId(hash);
    }

    /// <summary>Reads an identifier from the first <see cref="Length"/> bytes of <paramref name="source"/>.</summary>
    /// <returns><see langword="false"/> (and <see langword="default"/>) when the source is shorter than <see cref="Length"/>.</returns>
    public static bool TryRead(ReadOnlySpan<byte> source, out ContentId id)
    {
        if (source.Length < Length)
        {
            id = default;
            return false;
        }

        id = new ContentId(source[..Length]);
        return true;
    }

    /// <summary>Writes the 32 bytes to the start of <paramref name="destination"/>.</summary>
    /// <returns><see langword="false"/> when the destination is shorter than <see cref="Length"/>; nothing is written then.</returns>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
        return true;
    }

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        TryWrite(destination);
    }

    /// <summary>Returns the 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[Length];
        TryWrite(bytes);
        return bytes;
    }

    /// <summary>Parses 64 hex digits (either case) into an identifier.</summary>
    /// <exception cref="FormatException">The text is not exactly 64 hex digits.</exception>
    public static ContentId Parse(ReadOnlySpan<char> hex) =>
        TryParse(hex, out ContentId id) ? id : throw new FormatException($"A content ID is {HexLength} hex digits.");

    /// <summary>Parses 64 hex digits (either case) into an identifier.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="FormatException">The text is not exactly 64 hex digits.</exception>
    public static ContentId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return Parse(hex.AsSpan());
    }

    /// <summary>Parses 64 hex digits (either case); returns <see langword="false"/> for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out ContentId id)
    {
        id = default;
        if (hex.Length != HexLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out int consumed, out int written) != System.Buffers.OperationStatus.Done
            || consumed != HexLength || written != Length)
        {
            return false;
        }

        id = new ContentId(bytes);
        return true;
    }

    /// <summary>Parses 64 hex digits (either case); returns <see langword="false"/> for null or anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? hex, out ContentId id)
    {
        if (hex is null)
        {
            id = default;
            return false;
        }

        return TryParse(hex.AsSpan(), out id);
    }

    /// <summary>Returns the 64 lower-case hex digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        TryWrite(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <inheritdoc/>
    public bool Equals(ContentId other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ContentId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Compares two identifiers for equality.</summary>
    public static bool operator ==(ContentId left, ContentId right) => left.Equals(right);

    /// <summary>Compares two identifiers for inequality.</summary>
    public static bool operator !=(ContentId left, ContentId right) => !left.Equals(right);
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using Stt.Protocol.Identity.Internal;

namespace Stt.Protocol.Identity;

/// <summary>
/// A node's 32-byte identifier: SHA-256 of its Ed25519 public key (docs/protocol.md, section 1).
/// </summary>
/// <remarks>
/// Also the node's position in the DHT's XOR metric space. Stored as four big-endian words, so equality and
/// <see cref="Xor"/> are four machine operations; <see cref="CopyTo"/> gives the bytes in wire order.
/// </remarks>
public readonly struct NodeId : IEquatable<NodeId>
{
    /// <summary>Length in bytes.</summary>
    public const int Size = 32;

    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;

    /// <summary>Creates a node ID from its 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not exactly 32 bytes long.</exception>
    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A node ID is exactly {Size} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _word0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _word1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _word2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _word3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    private NodeId(ulong word0, ulong word1, ulong word2, ulong word3)
    {
        _word0 = word0;
        _word1 = word1;
        _word2 = word2;
        _word3 = word3;
    }

    /// <summary>The node ID that belongs to an Ed25519 public key: SHA-256 of the key.</summary>
    /// <exception cref="ArgumentException"><paramref name="ed25519PublicKey"/> is not 32 bytes long.</exception>
    public static NodeId FromPublicKey(ReadOnlySpan<byte> ed25519PublicKey)
    {
        if (ed25519PublicKey.Length != Ed25519.PublicKeySize)
        {
            throw new ArgumentException(
                $"An Ed25519 public key is {Ed25519.PublicKeySize} bytes; got {ed25519PublicKey.Length}.", nameof(ed25519PublicKey));
        }

        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(ed25519PublicKey, hash);
        return new NodeId(hash);
    }

    /// <summary>Parses 64 hexadecimal digits.</summary>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 64 hexadecimal digits.</exception>
    public static NodeId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        Span<byte> bytes = stackalloc byte[Size];
        if (hex.Length != 2 * Size || Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != Size)
        {
            throw new FormatException($"A node ID is {2 * Size} hexadecimal digits.");
        }

        return new NodeId(bytes);
    }

    /// <summary>The first 8 bytes as a big-endian integer (the part the session ID uses).</summary>
    public ulong FirstWord => _word0;

    /// <summary>Equality.</summary>
    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    /// <summary>Bitwise XOR, the Kademlia distance.</summary>
    public static NodeId operator ^(NodeId left, NodeId right) => left.Xor(right);

    /// <summary>Bitwise XOR with <paramref name="other"/>: the Kademlia distance between the two IDs.</summary>
    public NodeId Xor(NodeId other) =>
        new(_word0 ^ other._word0, _word1 ^ other._word1, _word2 ^ other._word2, _word3 ^ other._word3);

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Size, nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _word3);
    }

    /// <inheritdoc/>
    public bool Equals(NodeId other) =>
        _word0 == other._word0 && _word1 == other._word1 && _word2 == other._word2 && _word3 == other._word3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_word0, _word1, _word2, _word3);

    /// <summary>The 64 lowercase hexadecimal digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

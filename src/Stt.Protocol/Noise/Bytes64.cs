using System.Runtime.CompilerServices;

namespace Stt.Protocol.Noise;

/// <summary>Inline storage for a chaining key or handshake hash of up to 64 bytes (SHA-512).</summary>
[InlineArray(64)]
internal struct Bytes64
{
    private byte _element0;
}

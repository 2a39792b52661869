using System.Runtime.CompilerServices;

namespace Stt.Protocol.Noise;

/// <summary>Inline storage for a 32-byte key or public key.</summary>
[InlineArray(32)]
internal struct Bytes32
{
    private byte _element0;
}

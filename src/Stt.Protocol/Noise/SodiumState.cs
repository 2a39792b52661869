using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using Stt.Protocol.Interop;

namespace Stt.Protocol.Noise;

/// <summary>
/// Stack storage for a libsodium hash or HMAC state, 8-byte aligned as the C structs require.
/// </summary>
[InlineArray(Sodium.MaxStateSize / sizeof(ulong))]
internal struct SodiumState
{
    private ulong _element0;

    /// <summary>The state as bytes, for passing to libsodium.</summary>
    [UnscopedRef]
    public Span<byte> Bytes => MemoryMarshal.AsBytes((Span<ulong>)this);
}

using System.Security.Cryptography;

namespace Stt.Protocol.Crypto;

/// <summary><see cref="RandomSource"/> over <see cref="RandomNumberGenerator"/> (getrandom on Linux).</summary>
internal sealed class SystemRandomSource : RandomSource
{
    public override void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}

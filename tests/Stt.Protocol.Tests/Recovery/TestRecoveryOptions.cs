using Stt.Protocol.Recovery;

namespace Stt.Protocol.Tests.Recovery;

/// <summary>
/// RFC 9002's own defaults (25 ms max ack delay), so the formula tests can check the RFC's worked numbers; STT's
/// protocol constant is 5 ms (docs/protocol.md, section 9), which <see cref="RecoveryOptionsTests"/> pins.
/// </summary>
internal static class TestRecoveryOptions
{
    public static RecoveryOptions Rfc9002 { get; } = RecoveryOptions.Default with { MaxAckDelay = TimeSpan.FromMilliseconds(25) };
}

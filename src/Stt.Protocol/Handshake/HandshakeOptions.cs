using Stt.Protocol.Handshake.Internal;
namespace Stt.Protocol.Handshake;

/// <summary>Handshake limits and timers (docs/protocol.md, section 6).</summary>
/// <remarks>Immutable; share one instance between all handshakes of a node.</remarks>
public sealed record HandshakeOptions
{
    /// <summary>The defaults.</summary>
    public static HandshakeOptions Default { get; } = new();

    /// <summary>How far a HELLO timestamp may be from the responder's clock, either way.</summary>
    /// <remarks>
    /// Defaults to 30 seconds. Replay-cache entries live twice this long. Security: a longer window needs a larger
    /// <see cref="ReplayCacheCapacity"/> to keep replays out under load.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan FreshnessWindow
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>Time from HELLO (initiator) or RESPONSE (responder) after which an unfinished handshake is abandoned.</summary>
    /// <remarks>Defaults to 10 seconds.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan HandshakeTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>Most live entries the HELLO replay cache holds; when it is full, new HELLOs are dropped.</summary>
    /// <remarks>
    /// Defaults to 65,536 (a few MiB at most). Security: bounds the responder's memory; only HELLOs whose tag verified
    /// (that is, from holders of the shared seed) take an entry.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int ReplayCacheCapacity
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 65_536;

    /// <summary>Largest HELLO frame (header and padded body) a responder accepts, and an initiator pads to.</summary>
    /// <remarks>
    /// Defaults to 65,535 bytes. Must be between 143 (an unpadded HELLO) and 65,558 (a 65,535-byte Noise message and its
    /// header). Security: checked before any decryption, so an oversized HELLO costs nothing.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Outside 143 – 65,558.</exception>
    public int MaxHelloFrameLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, HandshakeFrames.MinHelloFrameLength);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, HandshakeFrames.MaxHelloFrameLengthLimit);
            field = value;
        }
    } = 65_535;
}

namespace Stt.Protocol.Distribution;

/// <summary>Options byte of a SUBSCRIBE request (docs/distribution.md, section 3.2).</summary>
[Flags]
public enum SubscribeOptions : byte
{
    /// <summary>Live only: start with the next message published after the subscription.</summary>
    None = 0x00,

    /// <summary>Start with the oldest message still in the channel's replay buffer.</summary>
    Replay = 0x01,
}

using System.Runtime.InteropServices;

namespace Stt.Protocol.Recovery.Internal;

/// <summary>One entry of the sent-frame ring buffer.</summary>
[StructLayout(LayoutKind.Auto)]
internal struct SentFrameSlot<TPayload>
{
    public SentFrame<TPayload> Frame;
    public SentFrameState State;
}

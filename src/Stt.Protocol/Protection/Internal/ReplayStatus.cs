namespace Stt.Protocol.Protection.Internal;

/// <summary>What the replay window says about a sequence number before the frame is authenticated.</summary>
internal enum ReplayStatus
{
    /// <summary>Not seen and inside (or above) the window: the frame may be opened.</summary>
    New,

    /// <summary>Already authenticated once.</summary>
    Duplicate,

    /// <summary>At or below <c>highest - 2048</c>: too old to tell, so dropped.</summary>
    TooOld,
}

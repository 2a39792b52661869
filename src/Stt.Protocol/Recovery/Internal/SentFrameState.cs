namespace Stt.Protocol.Recovery.Internal;

/// <summary>Where a tracked frame stands.</summary>
internal enum SentFrameState : byte
{
    /// <summary>The slot holds no frame.</summary>
    Empty = 0,

    /// <summary>Sent, neither acknowledged nor declared lost.</summary>
    Outstanding = 1,

    /// <summary>Acknowledged and reported; kept until every older frame is resolved.</summary>
    Acknowledged = 2,

    /// <summary>Declared lost and reported; kept until every older frame is resolved.</summary>
    Lost = 3,
}

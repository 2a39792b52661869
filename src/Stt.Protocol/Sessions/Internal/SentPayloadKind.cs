namespace Stt.Protocol.Sessions.Internal;

/// <summary>What a sent frame carried, so its loss or acknowledgement reaches the right layer.</summary>
internal enum SentPayloadKind : byte
{
    Data,
    StreamControl,
    Ping,
    Ack,
    Close,
}

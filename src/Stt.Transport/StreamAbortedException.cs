using Stt.Protocol;

namespace Stt.Transport;

/// <summary>A stream direction was abandoned: the peer reset the stream, or asked this side to stop sending.</summary>
public sealed class StreamAbortedException : SttException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="errorCode">The peer's application error code, when known.</param>
    /// <param name="message">What happened.</param>
    public StreamAbortedException(int streamId, ulong errorCode, string message)
        : base(message)
    {
        StreamId = streamId;
        ErrorCode = errorCode;
    }

    /// <summary>The stream.</summary>
    public int StreamId { get; }

    /// <summary>The peer's application error code; 0 when none was given.</summary>
    public ulong ErrorCode { get; }
}

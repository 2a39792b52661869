using System.Diagnostics.CodeAnalysis;

namespace Stt.Protocol;

/// <summary>A peer broke the protocol. The session closes with <see cref="ErrorCode"/>.</summary>
public sealed class ProtocolViolationException : SttException
{
    /// <summary>Creates the exception.</summary>
    public ProtocolViolationException(ProtocolErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The code the session is closed with.</summary>
    public ProtocolErrorCode ErrorCode { get; }

    /// <summary>Throws a <see cref="ProtocolViolationException"/>.</summary>
    [DoesNotReturn]
    public static void Throw(ProtocolErrorCode errorCode, string message) =>
        throw new ProtocolViolationException(errorCode, message);
}

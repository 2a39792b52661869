namespace Stt.Protocol;

/// <summary>Base type of the exceptions STT throws.</summary>
public abstract class SttException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected SttException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    protected SttException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

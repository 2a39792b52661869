namespace Stt.Cli;

/// <summary>A failure already phrased for people, with the exit code it ends the process with.</summary>
internal sealed class CliFailure : Exception
{
    /// <summary>Creates the failure.</summary>
    /// <param name="exitCode">One of the <see cref="ExitCode"/> values.</param>
    /// <param name="message">What happened, for stderr.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public CliFailure(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}

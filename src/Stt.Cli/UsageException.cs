namespace Stt.Cli;

/// <summary>A command-line mistake; its message is printed to stderr and the process exits with <see cref="ExitCode.Usage"/>.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, for people.</param>
    public UsageException(string message)
        : base(message)
    {
    }
}

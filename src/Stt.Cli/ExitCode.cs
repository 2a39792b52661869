namespace Stt.Cli;

/// <summary>The process exit codes of <c>stt</c>.</summary>
internal static class ExitCode
{
    /// <summary>The command succeeded.</summary>
    public const int Ok = 0;

    /// <summary>The command line was wrong (unknown command or option, missing argument, unreadable seed or file).</summary>
    public const int Usage = 1;

    /// <summary>The node could not be reached, the handshake failed (for example a wrong shared seed), or the session closed.</summary>
    public const int Connection = 2;

    /// <summary>The node refused or stopped a request; its status and text are printed.</summary>
    public const int Distribution = 3;

    /// <summary>Content did not match its hashes.</summary>
    public const int Integrity = 4;
}

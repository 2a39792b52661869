using System.Diagnostics;

namespace Stt.Transport.Udp.Tests.Namespaces;

/// <summary>Runs a host tool (<c>ip</c>, <c>tc</c>) with a time limit and reports its output when it fails.</summary>
public static class HostCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public sealed record Outcome(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public string Describe() =>
            $"`{CommandLine}` exited with {ExitCode}; stdout: [{StandardOutput.Trim()}]; stderr: [{StandardError.Trim()}]";
    }

    /// <summary>Runs the command and returns its outcome, whatever the exit code; throws only when it cannot start or times out.</summary>
    public static async Task<Outcome> TryRunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string commandLine = fileName + " " + string.Join(' ', arguments);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"`{commandLine}` could not start: {e.Message}", e);
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException(
                $"`{commandLine}` did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s; stdout: [{(await stdout).Trim()}]; stderr: [{(await stderr).Trim()}]");
        }

        return new Outcome(commandLine, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the command and throws, with its output, unless it exits with 0.</summary>
    public static async Task<Outcome> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Outcome outcome = await TryRunAsync(fileName, arguments, timeout, cancellationToken);
        if (outcome.ExitCode != 0)
        {
            throw new InvalidOperationException(outcome.Describe());
        }

        return outcome;
    }
}

using Stt.Client;
using Stt.Transport;

namespace Stt.Cli;

/// <summary>The entry point of <c>stt</c>: parses the command line, runs one command, maps failures to exit codes.</summary>
internal static class Program
{
    /// <summary>Runs <c>stt</c> on the console; Ctrl+C cancels the running command.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, Console.In, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Runs one command, reading the shared seed variable from the process environment.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdin">Standard input (messages for <c>publish</c> without arguments).</param>
    /// <param name="stdout">Standard output (results).</param>
    /// <param name="stderr">Standard error (diagnostics and failures).</param>
    /// <param name="ct">Cancels the command; a cancelled <c>subscribe</c> still exits 0.</param>
    /// <returns>The exit code (see <see cref="ExitCode"/>).</returns>
    internal static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, stdin, stdout, stderr, Environment.GetEnvironmentVariable, ct);

    /// <summary>Runs one command with the given environment.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdin">Standard input.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="environment">Reads environment variables.</param>
    /// <param name="ct">Cancels the command.</param>
    /// <returns>The exit code.</returns>
    internal static async Task<int> RunAsync(
        string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            CommandLine line = CommandLine.Parse(args);
            if (line.Help)
            {
                await stdout.WriteLineAsync(HelpText.Usage).ConfigureAwait(false);
                return ExitCode.Ok;
            }

            if (line.Command is null)
            {
                throw new UsageException("no command given");
            }

            var commands = new Commands(line, stdin, stdout, stderr, environment);
            return await commands.RunAsync(ct).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"stt: {ex.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync("Run 'stt --help' for usage.").ConfigureAwait(false);
            return ExitCode.Usage;
        }
        catch (CliFailure ex)
        {
            await stderr.WriteLineAsync($"stt: {ex.Message}").ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (ContentIntegrityException ex)
        {
            await stderr.WriteLineAsync($"stt: integrity failure: {ex.Message}").ConfigureAwait(false);
            return ExitCode.Integrity;
        }
        catch (DistributionException ex)
        {
            string text = string.IsNullOrEmpty(ex.ServerMessage) ? string.Empty : $": {ex.ServerMessage}";
            await stderr.WriteLineAsync($"stt: the node answered {ex.Status}{text}").ConfigureAwait(false);
            return ExitCode.Distribution;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("stt: interrupted").ConfigureAwait(false);
            return 130;
        }
        catch (SessionClosedException ex)
        {
            await stderr.WriteLineAsync($"stt: the session closed ({ex.CloseCode}): {ex.Message}").ConfigureAwait(false);
            return ExitCode.Connection;
        }
    }
}

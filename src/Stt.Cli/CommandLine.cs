using System.Globalization;

namespace Stt.Cli;

/// <summary>
/// A parsed command line: the command, its positional arguments and its options. Options may appear anywhere, as
/// <c>--name value</c> or <c>--name=value</c>; <c>--</c> makes every later argument positional.
/// </summary>
internal sealed class CommandLine
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--help", "--replay" };

    private static readonly HashSet<string> Valued = new(StringComparer.Ordinal) { "--seed-file", "--count", "--name", "--chunk-size" };

    private readonly Dictionary<string, string?> _options;

    private CommandLine(string? command, List<string> positionals, Dictionary<string, string?> options)
    {
        Command = command;
        Positionals = positionals;
        _options = options;
    }

    /// <summary>The command (first positional argument), or null when there is none.</summary>
    public string? Command { get; }

    /// <summary>The positional arguments after the command.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Whether <c>--help</c> or <c>-h</c> was given.</summary>
    public bool Help => _options.ContainsKey("--help");

    /// <summary>The options given, by name (with dashes).</summary>
    public IEnumerable<string> OptionNames => _options.Keys;

    /// <summary>Parses arguments.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The command line.</returns>
    /// <exception cref="UsageException">An unknown option, a repeated option, or an option missing its value.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string? command = null;
        var positionals = new List<string>();
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        bool onlyPositionals = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!onlyPositionals && arg == "--")
            {
                onlyPositionals = true;
                continue;
            }

            if (!onlyPositionals && arg.Length > 1 && arg[0] == '-')
            {
                string name = arg == "-h" ? "--help" : arg;
                string? value = null;
                int equals = name.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    value = name[(equals + 1)..];
                    name = name[..equals];
                }

                if (Flags.Contains(name))
                {
                    if (value is not null)
                    {
                        throw new UsageException($"option {name} takes no value");
                    }
                }
                else if (Valued.Contains(name))
                {
                    if (value is null)
                    {
                        if (i + 1 >= args.Count)
                        {
                            throw new UsageException($"option {name} needs a value");
                        }

                        value = args[++i];
                    }
                }
                else
                {
                    throw new UsageException($"unknown option {name}");
                }

                if (!options.TryAdd(name, value))
                {
                    throw new UsageException($"option {name} given twice");
                }

                continue;
            }

            if (command is null)
            {
                command = arg;
            }
            else
            {
                positionals.Add(arg);
            }
        }

        return new CommandLine(command, positionals, options);
    }

    /// <summary>Checks that only the given options (besides <c>--help</c> and <c>--seed-file</c>) were used.</summary>
    /// <param name="allowed">The command's own options.</param>
    /// <exception cref="UsageException">Another option was given.</exception>
    public void AllowOnly(params string[] allowed)
    {
        foreach (string name in _options.Keys)
        {
            if (name is not ("--help" or "--seed-file") && Array.IndexOf(allowed, name) < 0)
            {
                throw new UsageException($"option {name} does not apply to '{Command}'");
            }
        }
    }

    /// <summary>Checks the number of positional arguments.</summary>
    /// <param name="min">The least allowed.</param>
    /// <param name="max">The most allowed.</param>
    /// <exception cref="UsageException">Too few or too many.</exception>
    public void ExpectPositionals(int min, int max)
    {
        if (Positionals.Count < min)
        {
            throw new UsageException($"'{Command}' needs more arguments");
        }

        if (Positionals.Count > max)
        {
            throw new UsageException($"'{Command}' got an unexpected argument '{Positionals[max]}'");
        }
    }

    /// <summary>Whether a flag was given.</summary>
    /// <param name="name">The option name, with dashes.</param>
    /// <returns>True when present.</returns>
    public bool Has(string name) => _options.ContainsKey(name);

    /// <summary>An option's value.</summary>
    /// <param name="name">The option name, with dashes.</param>
    /// <returns>The value, or null when the option was not given.</returns>
    public string? Get(string name) => _options.GetValueOrDefault(name);

    /// <summary>A positive integer option.</summary>
    /// <param name="name">The option name, with dashes.</param>
    /// <param name="fallback">The value when the option was not given.</param>
    /// <returns>The value.</returns>
    /// <exception cref="UsageException">The value is not a positive integer.</exception>
    public int GetPositiveInt(string name, int fallback)
    {
        string? text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0)
        {
            throw new UsageException($"option {name} needs a positive whole number, not '{text}'");
        }

        return value;
    }
}

using System.Security.Cryptography;

namespace Stt.Cli;

/// <summary>
/// Finds the seed shared with the node: <c>--seed-file PATH</c>, else the <c>STT_SHARED_SEED</c> environment variable,
/// else <c>shared.seed</c> in the node's default data folder (<c>~/.local/share/stt</c> on Linux). Files and the variable
/// hold hex text, as the node writes it.
/// </summary>
internal static class SharedSeedSource
{
    /// <summary>The environment variable holding the seed as hex.</summary>
    public const string EnvironmentVariable = "STT_SHARED_SEED";

    /// <summary>The least number of seed bytes the protocol accepts.</summary>
    private const int MinimumLength = 32;

    /// <summary>The default seed file: <c>shared.seed</c> in the node's default data folder.</summary>
    public static string DefaultPath
    {
        get
        {
            string data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (data.Length == 0)
            {
                data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            }

            return Path.Combine(data, "stt", "shared.seed");
        }
    }

    /// <summary>Loads the seed bytes.</summary>
    /// <param name="seedFile">The <c>--seed-file</c> value, or null.</param>
    /// <param name="environment">Reads environment variables.</param>
    /// <returns>The seed; the caller clears it after use.</returns>
    /// <exception cref="UsageException">No seed was found, or it is not hex of at least 32 bytes.</exception>
    public static byte[] Load(string? seedFile, Func<string, string?> environment)
    {
        string source;
        string text;
        if (seedFile is not null)
        {
            source = seedFile;
            text = ReadFile(seedFile, explicitPath: true);
        }
        else if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            source = EnvironmentVariable;
            text = fromEnvironment;
        }
        else
        {
            source = DefaultPath;
            text = ReadFile(source, explicitPath: false);
        }

        byte[] seed;
        try
        {
            seed = Convert.FromHexString(text.Trim());
        }
        catch (FormatException)
        {
            throw new UsageException($"the shared seed in {source} is not hex text");
        }

        if (seed.Length < MinimumLength)
        {
            CryptographicOperations.ZeroMemory(seed);
            throw new UsageException($"the shared seed in {source} is shorter than {MinimumLength} bytes");
        }

        return seed;
    }

    private static string ReadFile(string path, bool explicitPath)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string hint = explicitPath
                ? string.Empty
                : $" (pass --seed-file with the shared.seed from the node's data folder, or set {EnvironmentVariable})";
            throw new UsageException($"cannot read the shared seed from {path}: {ex.Message}{hint}");
        }
    }
}

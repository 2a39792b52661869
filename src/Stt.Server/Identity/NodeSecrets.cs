using System.Security.Cryptography;
using Stt.Protocol.Identity;
using Stt.Server.Configuration;

namespace Stt.Server.Identity;

/// <summary>
/// The node's identity and the seed it shares with its peers, from configuration or from files in the data folder
/// that the first start creates (256 random bits each, hex, file mode 0600). Seeds are never logged.
/// </summary>
internal sealed class NodeSecrets : IDisposable
{
    /// <summary>The node seed's file name in the data folder.</summary>
    public const string NodeSeedFileName = "node.seed";

    /// <summary>The shared seed's file name in the data folder.</summary>
    public const string SharedSeedFileName = "shared.seed";

    private NodeSecrets(NodeIdentity identity, SharedSeed sharedSeed, string dataDirectory, string? nodeSeedPath, string? sharedSeedPath, bool created)
    {
        Identity = identity;
        SharedSeed = sharedSeed;
        DataDirectory = dataDirectory;
        NodeSeedPath = nodeSeedPath;
        SharedSeedPath = sharedSeedPath;
        CreatedSeeds = created;
    }

    /// <summary>The node's identity.</summary>
    public NodeIdentity Identity { get; }

    /// <summary>The seed peers must share to complete a handshake.</summary>
    public SharedSeed SharedSeed { get; }

    /// <summary>The resolved data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The node seed's file, or null when the seed came from configuration.</summary>
    public string? NodeSeedPath { get; }

    /// <summary>The shared seed's file, or null when it came from configuration.</summary>
    public string? SharedSeedPath { get; }

    /// <summary>Whether this start created a seed file.</summary>
    public bool CreatedSeeds { get; }

    /// <summary>The data folder the options name, with the default filled in.</summary>
    public static string ResolveDataDirectory(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string directory = options.DataDirectory.Length > 0
            ? options.DataDirectory
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "stt");
        return Path.GetFullPath(directory);
    }

    /// <summary>Loads the seeds the options name, creating missing seed files.</summary>
    /// <exception cref="InvalidDataException">A seed file exists but does not hold at least 32 bytes of hex.</exception>
    public static NodeSecrets Load(NodeOptions options)
    {
        string dataDirectory = ResolveDataDirectory(options);
        CreatePrivateDirectory(dataDirectory);
        bool created = false;

        string? nodeSeedPath = null;
        byte[] nodeSeed;
        if (options.NodeSeed.Length > 0)
        {
            nodeSeed = Convert.FromHexString(options.NodeSeed);
        }
        else
        {
            nodeSeedPath = Path.Combine(dataDirectory, NodeSeedFileName);
            nodeSeed = LoadOrCreate(nodeSeedPath, ref created);
        }

        string? sharedSeedPath = null;
        SharedSeed sharedSeed;
        if (options.SharedSeed.Length > 0)
        {
            byte[] bytes = Convert.FromHexString(options.SharedSeed);
            sharedSeed = new SharedSeed(bytes);
            CryptographicOperations.ZeroMemory(bytes);
        }
        else if (options.SharedSeedPassphrase.Length > 0)
        {
            sharedSeed = SharedSeed.FromPassphrase(options.SharedSeedPassphrase);
        }
        else
        {
            sharedSeedPath = Path.Combine(dataDirectory, SharedSeedFileName);
            byte[] bytes = LoadOrCreate(sharedSeedPath, ref created);
            sharedSeed = new SharedSeed(bytes);
            CryptographicOperations.ZeroMemory(bytes);
        }

        var identity = new NodeIdentity(nodeSeed);
        CryptographicOperations.ZeroMemory(nodeSeed);
        return new NodeSecrets(identity, sharedSeed, dataDirectory, nodeSeedPath, sharedSeedPath, created);
    }

    /// <summary>Reads a hex seed file (surrounding whitespace ignored).</summary>
    /// <exception cref="InvalidDataException">The file does not hold at least 32 bytes of hex.</exception>
    public static byte[] ReadSeedFile(string path)
    {
        string text = File.ReadAllText(path).Trim();
        if (!IsHexSeed(text))
        {
            throw new InvalidDataException($"The seed file '{path}' must hold at least 32 bytes as hex digits (64 or more).");
        }

        return Convert.FromHexString(text);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Identity.Dispose();
        SharedSeed.Dispose();
    }

    private static byte[] LoadOrCreate(string path, ref bool created)
    {
        if (File.Exists(path))
        {
            return ReadSeedFile(path);
        }

        byte[] seed = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(Convert.ToHexStringLower(seed));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        created = true;
        return seed;
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Whether a text is a seed: at least 32 bytes as an even number of hex digits.</summary>
    public static bool IsHexSeed(string value) => value.Length >= 64 && value.Length % 2 == 0 && IsHex(value);

    /// <summary>Whether every character is a hex digit.</summary>
    public static bool IsHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

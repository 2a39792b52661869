using Stt.Server.Configuration;
using Stt.Server.Identity;
using Xunit;

namespace Stt.Server.Tests.Identity;

public sealed class NodeSecretsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stt-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void First_start_creates_private_seed_files_and_later_starts_reuse_them()
    {
        string data = Path.Combine(_directory, "data");
        var options = new NodeOptions { DataDirectory = data };
        string nodeId;
        using (NodeSecrets first = NodeSecrets.Load(options))
        {
            Assert.True(first.CreatedSeeds);
            nodeId = first.Identity.NodeId.ToString();
            foreach (string file in new[] { first.NodeSeedPath!, first.SharedSeedPath! })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.Equal(64, File.ReadAllText(file).Trim().Length);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        }

        using NodeSecrets second = NodeSecrets.Load(options);
        Assert.False(second.CreatedSeeds);
        Assert.Equal(nodeId, second.Identity.NodeId.ToString());
    }

    [Fact]
    public void Configured_seeds_create_no_files()
    {
        var options = new NodeOptions
        {
            DataDirectory = _directory,
            NodeSeed = new string('a', 64),
            SharedSeed = new string('b', 64),
        };
        using NodeSecrets secrets = NodeSecrets.Load(options);
        Assert.False(secrets.CreatedSeeds);
        Assert.Null(secrets.NodeSeedPath);
        Assert.False(File.Exists(Path.Combine(_directory, NodeSecrets.SharedSeedFileName)));
    }

    [Fact]
    public void A_damaged_seed_file_stops_the_start_with_its_path()
    {
        File.WriteAllText(Path.Combine(_directory, NodeSecrets.NodeSeedFileName), "not hex\n");
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => NodeSecrets.Load(new NodeOptions { DataDirectory = _directory }));
        Assert.Contains(NodeSecrets.NodeSeedFileName, error.Message, StringComparison.Ordinal);
    }
}

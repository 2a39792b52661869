using System.Security.Cryptography;
using Stt.Server.Tests.Node;

namespace Stt.Server.Tests.ContentNode;

/// <summary>Random files and their hashes, and node URIs by transport.</summary>
internal static class ContentFiles
{
    /// <summary>Writes <paramref name="length"/> random bytes to <paramref name="path"/> and returns their SHA-256.</summary>
    public static byte[] WriteRandom(string path, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] block = new byte[1 << 20];
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            for (long remaining = length; remaining > 0;)
            {
                int n = (int)Math.Min(block.Length, remaining);
                RandomNumberGenerator.Fill(block.AsSpan(0, n));
                file.Write(block, 0, n);
                hash.AppendData(block, 0, n);
                remaining -= n;
            }
        }

        return hash.GetHashAndReset();
    }

    public static byte[] HashFile(string path)
    {
        using FileStream file = File.OpenRead(path);
        return SHA256.HashData(file);
    }

    public static Uri NodeUri(TestNode node, string transport) => transport == "udp"
        ? new Uri($"stt+udp://127.0.0.1:{node.UdpEndPoint.Port}")
        : node.WebSocketUri;
}

using SharpFuzz;
using Stt.Protocol.Fuzz;

// Stt.Protocol.Fuzz TARGET            run TARGET under AFL++ (fuzz/run.sh), or once on stdin to replay a finding
// Stt.Protocol.Fuzz seeds DIRECTORY   write the seed corpus, one folder per target

const int MaxInputLength = 1 << 20;

if (args is ["seeds", string directory])
{
    SeedCorpus.Write(directory);
    return 0;
}

if (args is not [string name] || !FuzzTargets.All.TryGetValue(name, out Action<ReadOnlySpan<byte>>? target))
{
    Console.Error.WriteLine($"usage: Stt.Protocol.Fuzz TARGET | seeds DIRECTORY   (targets: {string.Join(", ", FuzzTargets.All.Keys)})");
    return 2;
}

byte[] input = new byte[MaxInputLength];
Fuzzer.OutOfProcess.Run(stream =>
{
    int length = 0;
    int read;
    while (length < input.Length && (read = stream.Read(input, length, input.Length - length)) > 0)
    {
        length += read;
    }

    target(input.AsSpan(0, length));
});
return 0;

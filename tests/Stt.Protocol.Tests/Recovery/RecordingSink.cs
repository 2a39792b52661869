using Stt.Protocol.Recovery;

namespace Stt.Protocol.Tests.Recovery;

/// <summary>Records every frame a <see cref="SentFrameTracker{TPayload}"/> reports, in order.</summary>
internal sealed class RecordingSink : ISentFrameSink<int>
{
    public List<SentFrame<int>> Acknowledged { get; } = [];

    public List<SentFrame<int>> Lost { get; } = [];

    public ulong[] AcknowledgedSequences => [.. Acknowledged.Select(f => f.Sequence)];

    public ulong[] LostSequences => [.. Lost.Select(f => f.Sequence)];

    public void OnFrameAcknowledged(in SentFrame<int> frame) => Acknowledged.Add(frame);

    public void OnFrameLost(in SentFrame<int> frame) => Lost.Add(frame);

    public void Clear()
    {
        Acknowledged.Clear();
        Lost.Clear();
    }
}

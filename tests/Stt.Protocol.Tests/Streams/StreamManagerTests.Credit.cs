using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    [Fact]
    public void Read_LessThanHalfAStreamWindow_QueuesNoCredit()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[131_071], fin: false);

        ReadAvailable(manager, 1, out _);

        Assert.Empty(DrainControl(manager));
    }

    [Fact]
    public void Read_HalfAStreamWindow_QueuesMaxStreamDataOfConsumedPlusWindow()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[131_072], fin: false);

        ReadAvailable(manager, 1, out _);

        Assert.Equal([StreamControlItem.MaxStreamData(1, 131_072 + 262_144)], DrainControl(manager));
    }

    [Fact]
    public void Read_HalfTheSessionWindow_QueuesMaxData()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        for (int streamId = 1; streamId <= 3; streamId += 2)
        {
            manager.OnData(streamId, 0, new byte[262_144], fin: false);
            ReadAvailable(manager, streamId, out _);
        }

        List<StreamControlItem> items = DrainControl(manager);

        Assert.Equal(
            [
                StreamControlItem.MaxData(524_288 + 1_048_576),
                StreamControlItem.MaxStreamData(1, 262_144 + 262_144),
                StreamControlItem.MaxStreamData(3, 262_144 + 262_144),
            ],
            items);
    }

    [Fact]
    public void Credit_ReadingInSteps_IssuesIncreasingLimitsThatKeepThePeerGoing()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] stream = Bytes(3_000_000, seed: 6);
        var streamLimits = new List<ulong>();
        var sessionLimits = new List<ulong>();
        ulong streamLimit = 262_144;
        ulong sessionLimit = 1_048_576;
        int offset = 0;
        var delivered = new List<byte>();

        while (offset < stream.Length)
        {
            int length = (int)Math.Min(Math.Min(streamLimit, sessionLimit) - (ulong)offset, 50_000);
            length = Math.Min(length, stream.Length - offset);
            Assert.True(length > 0, "the peer ran out of credit");
            manager.OnData(1, (ulong)offset, stream.AsSpan(offset, length), offset + length == stream.Length);
            offset += length;
            delivered.AddRange(ReadAvailable(manager, 1, out _));
            foreach (StreamControlItem item in DrainControl(manager))
            {
                if (item.Kind == StreamControlKind.MaxStreamData)
                {
                    streamLimits.Add(item.Value);
                    streamLimit = item.Value;
                }
                else
                {
                    Assert.Equal(StreamControlKind.MaxData, item.Kind);
                    sessionLimits.Add(item.Value);
                    sessionLimit = item.Value;
                }
            }
        }

        Assert.Equal(stream, delivered);
        Assert.True(streamLimits.Count > 5);
        Assert.True(sessionLimits.Count > 2);
        Assert.Equal(streamLimits.Order(), streamLimits);
        Assert.Equal(streamLimits.Distinct().Count(), streamLimits.Count);
        Assert.Equal(sessionLimits.Order(), sessionLimits);
    }

    [Fact]
    public void Credit_AfterFin_NoMoreMaxStreamData()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[200_000], fin: true);

        ReadAvailable(manager, 1, out _);

        Assert.DoesNotContain(DrainControl(manager), item => item.Kind == StreamControlKind.MaxStreamData);
    }

    [Fact]
    public void OnControlLost_CurrentMaxStreamData_Requeued()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[131_072], fin: false);
        ReadAvailable(manager, 1, out _);
        StreamControlItem sent = Assert.Single(DrainControl(manager));

        manager.OnControlLost(sent);

        Assert.Equal([sent], DrainControl(manager));
    }

    [Fact]
    public void OnControlLost_SupersededMaxStreamData_NotRequeued()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[262_144], fin: false);
        manager.Read(1, new byte[131_072], out _);
        StreamControlItem older = Assert.Single(DrainControl(manager));
        manager.Read(1, new byte[131_072], out _);
        StreamControlItem newer = Assert.Single(DrainControl(manager));

        manager.OnControlLost(older);

        Assert.Empty(DrainControl(manager));
        Assert.True(newer.Value > older.Value);
    }

    [Fact]
    public void OnControlLost_MaxData_RequeuedOnlyWhileCurrent()
    {
        using var manager = new StreamManager(SessionRole.Responder, new StreamOptions { SessionReceiveWindow = 2_000_000 });
        StreamControlItem initial = Assert.Single(DrainControl(manager));

        manager.OnControlLost(initial);
        StreamControlItem again = Assert.Single(DrainControl(manager));
        for (int streamId = 1; streamId <= 7; streamId += 2)
        {
            manager.OnData(streamId, 0, new byte[262_144], fin: false);
            manager.Read(streamId, new byte[262_144], out _);
        }

        StreamControlItem raised = Assert.Single(DrainControl(manager), item => item.Kind == StreamControlKind.MaxData);
        manager.OnControlLost(initial);

        Assert.Equal(StreamControlItem.MaxData(2_000_000), initial);
        Assert.Equal(initial, again);
        Assert.Equal(StreamControlItem.MaxData(1_048_576 + 2_000_000), raised);
        Assert.Empty(DrainControl(manager));
    }

    [Fact]
    public void Constructor_LargerWindows_AdvertisedBeforeAnyData()
    {
        var options = new StreamOptions { StreamReceiveWindow = 1_000_000, SessionReceiveWindow = 4_000_000 };
        using var manager = new StreamManager(SessionRole.Responder, options);

        List<StreamControlItem> atStart = DrainControl(manager);
        manager.OnData(1, 999_999, [1], fin: false);

        Assert.Equal([StreamControlItem.MaxData(4_000_000)], atStart);
        Assert.Equal([StreamControlItem.MaxStreamData(1, 1_000_000)], DrainControl(manager));
    }

    [Fact]
    public void OnPeerStreamsClosed_HalfTheStreamLimit_RaisesMaxStreams()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        for (int k = 0; k < 50; k++)
        {
            int streamId = (2 * k) + 1;
            manager.OnData(streamId, 0, [1], fin: true);
            ReadAvailable(manager, streamId, out _);
            manager.Finish(streamId);
            SendAndAcknowledgeAll(manager);
            if (k == 48)
            {
                Assert.Equal(100UL, manager.PeerStreamLimit);
            }
        }

        Assert.Equal(0, manager.ActiveStreamCount);
        StreamControlItem maxStreams = Assert.Single(DrainControl(manager));
        manager.OnControlLost(maxStreams);
        Assert.Equal(StreamControlItem.MaxStreams(150), maxStreams);
        Assert.Equal([maxStreams], DrainControl(manager));
        manager.OnData(299, 0, [1], fin: false);
        Assert.Equal(ProtocolErrorCode.StreamLimitError, ViolationCode(() => manager.OnData(301, 0, [1], fin: false)));
    }
}

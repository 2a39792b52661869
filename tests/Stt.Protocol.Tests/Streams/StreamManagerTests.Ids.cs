using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    [Fact]
    public void TryOpenStream_Initiator_AllocatesOddIdsInOrder()
    {
        using var manager = new StreamManager(SessionRole.Initiator);

        int[] ids = [Open(manager), Open(manager), Open(manager)];

        Assert.Equal([1, 3, 5], ids);
        Assert.Equal(StreamState.Created, manager.GetState(5));
    }

    [Fact]
    public void TryOpenStream_Responder_AllocatesEvenIdsInOrder()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        int[] ids = [Open(manager), Open(manager), Open(manager)];

        Assert.Equal([2, 4, 6], ids);
    }

    [Fact]
    public void TryOpenStream_PeerLimitOfHundredReached_ReturnsFalse()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int last = 0;
        for (int k = 0; k < 100; k++)
        {
            last = Open(manager);
        }

        bool opened = manager.TryOpenStream(out int streamId);

        Assert.Equal(199, last);
        Assert.False(opened);
        Assert.Equal(0, streamId);
        Assert.False(manager.CanOpenStream);
    }

    [Fact]
    public void OnMaxStreams_AfterExhaustion_AllowsNextIdAndSignalsStreamsAvailable()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        for (int k = 0; k < 100; k++)
        {
            Open(manager);
        }

        Assert.False(manager.TryOpenStream(out _));
        DrainEvents(manager);

        manager.OnMaxStreams(101);

        Assert.Equal([new StreamEvent(StreamEventKind.StreamsAvailable, 0)], DrainEvents(manager));
        Assert.Equal(202, Open(manager));
        Assert.False(manager.TryOpenStream(out _));
    }

    [Fact]
    public void OnMaxStreams_SmallerThanCurrent_Ignored()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        manager.OnMaxStreams(3);
        for (int k = 0; k < 100; k++)
        {
            Open(manager);
        }

        Assert.False(manager.TryOpenStream(out _));
    }

    [Fact]
    public void TryOpenStream_IdSpaceExhausted_ReturnsFalseAfterId65535()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        manager.OnMaxStreams(1_000_000);
        int last = 0;
        while (manager.TryOpenStream(out int streamId))
        {
            last = streamId;
        }

        Assert.Equal(65535, last);
        Assert.Equal(32768, manager.ActiveStreamCount);
    }

    [Fact]
    public void OnData_FirstFrameOfPeerStream_OpensItImplicitly()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        manager.OnData(1, 0, [1, 2, 3], fin: false);

        Assert.Equal(
            [new StreamEvent(StreamEventKind.Opened, 1), new StreamEvent(StreamEventKind.Readable, 1)],
            DrainEvents(manager));
        Assert.Equal(StreamState.Open, manager.GetState(1));
        Assert.Equal(1, manager.ActiveStreamCount);
    }

    [Fact]
    public void OnData_HigherPeerStreamFirst_OpensEveryLowerPeerStreamInOrder()
    {
        using var manager = new StreamManager(SessionRole.Initiator);

        manager.OnData(6, 0, [9], fin: false);

        Assert.Equal(
            [
                new StreamEvent(StreamEventKind.Opened, 2),
                new StreamEvent(StreamEventKind.Opened, 4),
                new StreamEvent(StreamEventKind.Opened, 6),
                new StreamEvent(StreamEventKind.Readable, 6),
            ],
            DrainEvents(manager));
        Assert.Equal(3, manager.ActiveStreamCount);
    }

    [Theory]
    [InlineData(SessionRole.Initiator, 1)]
    [InlineData(SessionRole.Initiator, 7)]
    [InlineData(SessionRole.Responder, 2)]
    public void OnData_LocalParityStreamNeverOpened_ThrowsStreamStateError(SessionRole role, int streamId)
    {
        using var manager = new StreamManager(role);

        Assert.Equal(ProtocolErrorCode.StreamStateError, ViolationCode(() => manager.OnData(streamId, 0, [1], fin: false)));
    }

    [Fact]
    public void OnData_LocalStreamOpenedByUs_AcceptedAndOpensIt()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        int streamId = Open(manager);

        manager.OnData(streamId, 0, [1], fin: false);

        Assert.Equal(StreamState.Open, manager.GetState(streamId));
        Assert.Equal([new StreamEvent(StreamEventKind.Readable, 1)], DrainEvents(manager));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ControlFrames_LocalParityStreamNeverOpened_ThrowStreamStateError(int kind)
    {
        using var manager = new StreamManager(SessionRole.Responder);
        Open(manager);
        Action action = kind switch
        {
            0 => () => manager.OnResetStream(4, 1, 0),
            1 => () => manager.OnStopSending(4, 1),
            _ => () => manager.OnMaxStreamData(4, 1_000_000),
        };

        Assert.Equal(ProtocolErrorCode.StreamStateError, ViolationCode(action));
    }

    [Fact]
    public void OnData_PeerStreamAtAdvertisedLimit_ThrowsStreamLimitError()
    {
        using var manager = new StreamManager(SessionRole.Initiator);
        manager.OnData(200, 0, [1], fin: false);

        Assert.Equal(ProtocolErrorCode.StreamLimitError, ViolationCode(() => manager.OnData(202, 0, [1], fin: false)));
        Assert.Equal(100, manager.ActiveStreamCount);
    }

    [Fact]
    public void OnMaxStreamData_PeerStreamBeyondLimit_ThrowsStreamLimitError()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        Assert.Equal(ProtocolErrorCode.StreamLimitError, ViolationCode(() => manager.OnMaxStreamData(201, 1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void OnData_StreamIdOutsideUserRange_ThrowsProtocolViolation(int streamId)
    {
        using var manager = new StreamManager(SessionRole.Responder);

        Assert.Equal(ProtocolErrorCode.ProtocolViolation, ViolationCode(() => manager.OnData(streamId, 0, [1], fin: false)));
    }

    [Fact]
    public void Constructor_MaxIncomingStreamsAboveInitial_AdvertisesItAtOnce()
    {
        using var manager = new StreamManager(SessionRole.Initiator, new StreamOptions { MaxIncomingStreams = 250 });

        Assert.Equal([StreamControlItem.MaxStreams(250)], DrainControl(manager));
        manager.OnData(500, 0, [1], fin: false);
        Assert.Equal(250, manager.ActiveStreamCount);
    }

    [Theory]
    [InlineData(99, 262_144, 1_048_576)]
    [InlineData(100, 262_143, 1_048_576)]
    [InlineData(100, 262_144, 1_048_575)]
    [InlineData(32_769, 262_144, 1_048_576)]
    public void Constructor_OptionsBelowProtocolMinimum_Throws(int streams, int streamWindow, int sessionWindow)
    {
        var options = new StreamOptions { MaxIncomingStreams = streams, StreamReceiveWindow = streamWindow, SessionReceiveWindow = sessionWindow };

        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamManager(SessionRole.Initiator, options));
    }

    [Fact]
    public void GetState_StreamNeverOpened_ThrowsArgumentException()
    {
        using var manager = new StreamManager(SessionRole.Initiator);

        Assert.Throws<ArgumentException>(() => manager.GetState(1));
        Assert.Throws<ArgumentException>(() => manager.GetState(2));
    }

    private static int Open(StreamManager manager)
    {
        Assert.True(manager.TryOpenStream(out int streamId));
        return streamId;
    }
}

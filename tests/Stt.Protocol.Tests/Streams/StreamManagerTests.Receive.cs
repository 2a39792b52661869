using CsCheck;
using Stt.Protocol.Streams;
using Xunit;
using static Stt.Protocol.Tests.Streams.StreamTestHelpers;

namespace Stt.Protocol.Tests.Streams;

public sealed partial class StreamManagerTests
{
    public static TheoryData<int[]> PermutationsOfFourChunks()
    {
        var data = new TheoryData<int[]>();
        foreach (int[] permutation in Permutations([0, 1, 2, 3]))
        {
            data.Add(permutation);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PermutationsOfFourChunks))]
    public void OnData_ChunksInAnyOrder_DeliversEveryByteOnceInOrder(int[] order)
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] stream = Bytes(10, seed: 1);
        (int Offset, int Length)[] chunks = [(0, 3), (3, 2), (5, 4), (9, 1)];
        var delivered = new List<byte>();

        foreach (int index in order)
        {
            (int offset, int length) = chunks[index];
            manager.OnData(1, (ulong)offset, stream.AsSpan(offset, length), fin: index == 3);
            delivered.AddRange(ReadAvailable(manager, 1, out _));
        }

        ReadAvailable(manager, 1, out StreamReadStatus last);
        Assert.Equal(stream, delivered);
        Assert.Equal(StreamReadStatus.EndOfStream, last);
    }

    [Fact]
    public void OnData_DuplicatesAndOverlaps_DeliversEachByteOnce()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] stream = Bytes(100, seed: 2);

        manager.OnData(1, 40, stream.AsSpan(40, 30), fin: false);
        manager.OnData(1, 0, stream.AsSpan(0, 20), fin: false);
        byte[] first = ReadAvailable(manager, 1, out _);
        manager.OnData(1, 10, stream.AsSpan(10, 50), fin: false);
        manager.OnData(1, 0, stream.AsSpan(0, 20), fin: false);
        manager.OnData(1, 50, stream.AsSpan(50, 50), fin: true);
        manager.OnData(1, 50, stream.AsSpan(50, 50), fin: true);
        byte[] rest = ReadAvailable(manager, 1, out StreamReadStatus last);

        Assert.Equal(stream.AsSpan(0, 20).ToArray(), first);
        Assert.Equal(stream.AsSpan(20).ToArray(), rest);
        Assert.Equal(StreamReadStatus.EndOfStream, last);
    }

    [Fact]
    public void OnData_RandomChunkingReorderingAndDuplicates_DeliversOriginalBytesOnceInOrder()
    {
        Gen.Select(Gen.Byte.Array[0, 3000], Gen.Int, Gen.Int[1, 400]).Sample(
            (stream, seed, maxChunk) =>
            {
                var random = new Random(seed);
                var chunks = new List<(int Offset, int Length)>();
                for (int offset = 0; offset < stream.Length;)
                {
                    int length = Math.Min(random.Next(1, maxChunk + 1), stream.Length - offset);
                    chunks.Add((offset, length));
                    offset += length;
                }

                int duplicates = random.Next(0, chunks.Count + 1);
                for (int d = 0; d < duplicates; d++)
                {
                    chunks.Add(chunks[random.Next(chunks.Count)]);
                }

                chunks.Add((stream.Length, 0));
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chunks));

                using var manager = new StreamManager(SessionRole.Initiator);
                var delivered = new List<byte>();
                foreach ((int offset, int length) in chunks)
                {
                    bool fin = offset + length == stream.Length;
                    manager.OnData(2, (ulong)offset, stream.AsSpan(offset, length), fin);
                    if (random.Next(3) == 0)
                    {
                        delivered.AddRange(ReadAvailable(manager, 2, out _));
                    }
                }

                delivered.AddRange(ReadAvailable(manager, 2, out StreamReadStatus last));
                Assert.Equal(StreamReadStatus.EndOfStream, last);
                Assert.Equal(stream, delivered);
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public void OnData_GapOnOneStream_OtherStreamsStillDeliver()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] one = Bytes(300, seed: 11);
        byte[] three = Bytes(300, seed: 13);
        byte[] five = Bytes(300, seed: 15);

        manager.OnData(1, 100, one.AsSpan(100, 200), fin: true);
        manager.OnData(3, 0, three.AsSpan(0, 150), fin: false);
        manager.OnData(5, 0, five.AsSpan(0, 300), fin: true);
        manager.OnData(3, 150, three.AsSpan(150, 150), fin: true);

        Assert.Empty(ReadAvailable(manager, 1, out StreamReadStatus oneStatus));
        Assert.Equal(StreamReadStatus.Pending, oneStatus);
        Assert.Equal(three, ReadAvailable(manager, 3, out StreamReadStatus threeStatus));
        Assert.Equal(StreamReadStatus.EndOfStream, threeStatus);
        Assert.Equal(five, ReadAvailable(manager, 5, out _));

        manager.OnData(1, 0, one.AsSpan(0, 100), fin: false);
        Assert.Equal(one, ReadAvailable(manager, 1, out StreamReadStatus filled));
        Assert.Equal(StreamReadStatus.EndOfStream, filled);
    }

    [Fact]
    public void OnData_ReadableEvent_CoalescedUntilDequeued()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, [1], fin: false);
        manager.OnData(1, 1, [2], fin: false);
        manager.OnData(1, 5, [6], fin: false);

        List<StreamEvent> first = DrainEvents(manager);
        manager.OnData(1, 2, [3], fin: false);

        Assert.Equal([new StreamEvent(StreamEventKind.Opened, 1), new StreamEvent(StreamEventKind.Readable, 1)], first);
        Assert.Equal([new StreamEvent(StreamEventKind.Readable, 1)], DrainEvents(manager));
    }

    [Fact]
    public void OnData_OutOfOrderOnly_NoReadableEvent()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        manager.OnData(1, 10, [1, 2], fin: false);

        Assert.Equal([new StreamEvent(StreamEventKind.Opened, 1)], DrainEvents(manager));
        Assert.Equal(2, manager.ReceiveBufferedBytes);
    }

    [Fact]
    public void OnData_LastByteOfStreamWindow_Accepted()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        manager.OnData(1, 262_143, [7], fin: false);

        Assert.Equal(1, manager.ReceiveBufferedBytes);
    }

    [Fact]
    public void OnData_BeyondStreamWindow_ThrowsFlowControlError()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        Assert.Equal(ProtocolErrorCode.FlowControlError, ViolationCode(() => manager.OnData(1, 262_144, [7], fin: false)));
    }

    [Fact]
    public void OnData_BeyondSessionWindow_ThrowsFlowControlError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        for (int streamId = 1; streamId <= 7; streamId += 2)
        {
            manager.OnData(streamId, 262_143, [1], fin: false);
        }

        Assert.Equal(ProtocolErrorCode.FlowControlError, ViolationCode(() => manager.OnData(9, 0, [1], fin: false)));
    }

    [Fact]
    public void OnResetStream_FinalSizeBeyondStreamWindow_ThrowsFlowControlError()
    {
        using var manager = new StreamManager(SessionRole.Responder);

        Assert.Equal(ProtocolErrorCode.FlowControlError, ViolationCode(() => manager.OnResetStream(1, 5, 262_145)));
    }

    [Fact]
    public void OnData_PastFinalSize_ThrowsFinalSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[10], fin: true);

        Assert.Equal(ProtocolErrorCode.FinalSizeError, ViolationCode(() => manager.OnData(1, 8, new byte[3], fin: false)));
    }

    [Fact]
    public void OnData_SecondFinWithOtherSize_ThrowsFinalSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[10], fin: true);

        Assert.Equal(ProtocolErrorCode.FinalSizeError, ViolationCode(() => manager.OnData(1, 0, new byte[9], fin: true)));
    }

    [Fact]
    public void OnData_FinBelowDataAlreadyReceived_ThrowsFinalSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 20, new byte[10], fin: false);

        Assert.Equal(ProtocolErrorCode.FinalSizeError, ViolationCode(() => manager.OnData(1, 0, new byte[10], fin: true)));
    }

    [Fact]
    public void OnData_RepeatedFinWithSameSize_Accepted()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[10], fin: true);
        manager.OnData(1, 10, [], fin: true);
        manager.OnData(1, 4, new byte[6], fin: true);

        Assert.Equal(10, ReadAvailable(manager, 1, out StreamReadStatus last).Length);
        Assert.Equal(StreamReadStatus.EndOfStream, last);
    }

    [Fact]
    public void OnResetStream_FinalSizeDiffersFromFin_ThrowsFinalSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[10], fin: true);

        Assert.Equal(ProtocolErrorCode.FinalSizeError, ViolationCode(() => manager.OnResetStream(1, 3, 11)));
    }

    [Fact]
    public void OnResetStream_FinalSizeBelowDataReceived_ThrowsFinalSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[10], fin: false);

        Assert.Equal(ProtocolErrorCode.FinalSizeError, ViolationCode(() => manager.OnResetStream(1, 3, 9)));
    }

    [Fact]
    public void OnData_AfterResetBeyondFinalSize_ThrowsFinalSizeError()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnResetStream(1, 3, 10);

        Assert.Equal(ProtocolErrorCode.FinalSizeError, ViolationCode(() => manager.OnData(1, 5, new byte[6], fin: false)));
    }

    [Fact]
    public void OnResetStream_UnreadData_DiscardedAndReadReportsResetWithCode()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[100], fin: false);
        DrainEvents(manager);

        manager.OnResetStream(1, 0x1234, 500);

        Assert.Equal([new StreamEvent(StreamEventKind.Readable, 1)], DrainEvents(manager));
        Assert.True(manager.TryGetStreamInfo(1, out StreamInfo info));
        Assert.Equal(0x1234UL, info.ResetErrorCode);
        Assert.Equal(0, info.ReceiveBufferedBytes);
        Assert.Equal(StreamState.Closing, info.State);
        Assert.Equal(StreamReadStatus.Reset, manager.Read(1, new byte[10], out int read));
        Assert.Equal(0, read);
        Assert.Equal(StreamReadStatus.Reset, manager.Read(1, new byte[10], out _));
    }

    [Fact]
    public void OnData_ClosedPeerStream_LateFramesIgnored()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[5], fin: true);
        ReadAvailable(manager, 1, out _);
        manager.Finish(1);
        Assert.True(TryTakeData(manager, 100, out StreamChunk fin, out _));
        manager.OnDataAcked(fin.StreamId, fin.Offset, fin.Length, fin.Fin);
        Assert.Equal(StreamState.Closed, manager.GetState(1));

        manager.OnData(1, 0, new byte[5], fin: true);
        manager.OnMaxStreamData(1, 1_000_000);
        manager.OnResetStream(1, 1, 5);

        Assert.Equal(0, manager.ActiveStreamCount);
        Assert.Equal(StreamReadStatus.EndOfStream, manager.Read(1, new byte[1], out _));
    }

    [Fact]
    public void StopSending_OpenStream_QueuesStopSendingAndDropsLaterData()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[100], fin: false);

        manager.StopSending(1, 77);
        manager.OnData(1, 100, new byte[50], fin: false);

        Assert.Equal([StreamControlItem.StopSending(1, 77)], DrainControl(manager));
        Assert.Equal(0, manager.ReceiveBufferedBytes);
        Assert.Throws<InvalidOperationException>(() => manager.Read(1, new byte[1], out _));

        manager.OnResetStream(1, 77, 150);
        manager.Finish(1);
        SendAndAcknowledgeAll(manager);
        Assert.Equal(StreamState.Closed, manager.GetState(1));
    }

    [Fact]
    public void StopSending_FinalSizeAlreadyKnown_SendsNothing()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[100], fin: true);

        manager.StopSending(1, 77);

        Assert.Empty(DrainControl(manager));
    }

    [Fact]
    public void OnData_EveryOtherByteAcrossTheWholeWindow_BufferedThenDeliveredWhenGapsFill()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        byte[] stream = Bytes(262_144, seed: 12);
        for (int offset = 1; offset < stream.Length; offset += 2)
        {
            manager.OnData(1, (ulong)offset, stream.AsSpan(offset, 1), fin: offset == stream.Length - 1);
        }

        long buffered = manager.ReceiveBufferedBytes;
        byte[] early = ReadAvailable(manager, 1, out _);
        for (int offset = stream.Length - 2; offset >= 0; offset -= 2)
        {
            manager.OnData(1, (ulong)offset, stream.AsSpan(offset, 1), fin: false);
        }

        Assert.Equal(131_072, buffered);
        Assert.Empty(early);
        Assert.Equal(stream, ReadAvailable(manager, 1, out StreamReadStatus last));
        Assert.Equal(StreamReadStatus.EndOfStream, last);
    }

    [Fact]
    public void OnControlLost_StopSending_RequeuedUntilTheFinalSizeArrives()
    {
        using var manager = new StreamManager(SessionRole.Responder);
        manager.OnData(1, 0, new byte[10], fin: false);
        manager.StopSending(1, 4);
        StreamControlItem stop = Assert.Single(DrainControl(manager));

        manager.OnControlLost(stop);
        List<StreamControlItem> resent = DrainControl(manager);
        manager.OnResetStream(1, 4, 10);
        manager.OnControlLost(stop);

        Assert.Equal([stop], resent);
        Assert.Empty(DrainControl(manager));
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            int[] rest = [.. items[..i], .. items[(i + 1)..]];
            foreach (int[] tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}

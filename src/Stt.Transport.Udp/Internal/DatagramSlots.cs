using System.Runtime.InteropServices;
using Stt.Transport.Udp.Interop;

namespace Stt.Transport.Udp.Internal;

/// <summary>
/// 64 datagram slots and their address slots in pinned memory, with the <c>mmsghdr</c> and <c>iovec</c> entries that
/// point at them: what one <c>sendmmsg</c> or <c>recvmmsg</c> call reads or fills.
/// </summary>
internal sealed class DatagramSlots
{
    /// <summary>Datagrams per call.</summary>
    public const int Capacity = 64;

    /// <summary>Bytes per address slot: room for any <c>sockaddr</c>.</summary>
    public const int AddressSize = 128;

    private readonly byte[] _data;
    private readonly byte[] _addresses;

    /// <summary>Allocates the slots, each <paramref name="slotSize"/> bytes, and points the headers at them.</summary>
    public DatagramSlots(int slotSize)
    {
        SlotSize = slotSize;
        _data = GC.AllocateUninitializedArray<byte>(Capacity * slotSize, pinned: true);
        _addresses = GC.AllocateUninitializedArray<byte>(Capacity * AddressSize, pinned: true);
        Vectors = GC.AllocateArray<LinuxMultipleMessages.IoVector>(Capacity, pinned: true);
        Headers = new LinuxMultipleMessages.MessageHeader[Capacity];
        for (int i = 0; i < Capacity; i++)
        {
            Vectors[i].Base = Marshal.UnsafeAddrOfPinnedArrayElement(_data, i * slotSize);
            Vectors[i].Length = (nuint)slotSize;
            Headers[i].Name = Marshal.UnsafeAddrOfPinnedArrayElement(_addresses, i * AddressSize);
            Headers[i].NameLength = AddressSize;
            Headers[i].Vectors = Marshal.UnsafeAddrOfPinnedArrayElement(Vectors, i);
            Headers[i].VectorCount = 1;
        }
    }

    /// <summary>Bytes per datagram slot.</summary>
    public int SlotSize { get; }

    /// <summary>One <c>iovec</c> per slot: its datagram's start and length.</summary>
    public LinuxMultipleMessages.IoVector[] Vectors { get; }

    /// <summary>One <c>mmsghdr</c> per slot.</summary>
    public LinuxMultipleMessages.MessageHeader[] Headers { get; }

    /// <summary>The whole datagram slot <paramref name="index"/>.</summary>
    public Span<byte> Slot(int index) => _data.AsSpan(index * SlotSize, SlotSize);

    /// <summary>The whole address slot <paramref name="index"/>.</summary>
    public Span<byte> Address(int index) => _addresses.AsSpan(index * AddressSize, AddressSize);
}

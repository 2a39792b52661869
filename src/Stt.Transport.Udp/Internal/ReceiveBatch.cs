using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Stt.Transport.Udp.Interop;

namespace Stt.Transport.Udp.Internal;

/// <summary>
/// Takes up to 64 waiting datagrams from the socket in one <c>recvmmsg</c> call (64-bit Linux), into pinned slots the
/// receive loop reads in order. The loop still waits for the socket with an asynchronous receive; once data flows it
/// drains the backlog in batches, one system call for many datagrams instead of one each.
/// </summary>
/// <remarks>Used by one receive loop only; not thread-safe. About 85 KB of pinned memory for 1,200-byte datagrams.</remarks>
internal sealed class ReceiveBatch
{
    /// <summary>The most datagrams one <see cref="Receive"/> takes.</summary>
    public const int Capacity = 64;
    private const int AddressSlot = 128;

    private readonly Socket _socket;
    private readonly int _slotSize;
    private readonly byte[] _data;
    private readonly byte[] _addresses;
    private readonly LinuxMultipleMessages.IoVector[] _vectors;
    private readonly LinuxMultipleMessages.MessageHeader[] _headers;

    /// <summary>Creates the slots, each <paramref name="slotSize"/> bytes: one more than the largest datagram accepted,
    /// so that a longer one shows as too long.</summary>
    public ReceiveBatch(Socket socket, int slotSize)
    {
        _socket = socket;
        _slotSize = slotSize;
        _data = GC.AllocateUninitializedArray<byte>(Capacity * slotSize, pinned: true);
        _addresses = GC.AllocateUninitializedArray<byte>(Capacity * AddressSlot, pinned: true);
        _vectors = GC.AllocateArray<LinuxMultipleMessages.IoVector>(Capacity, pinned: true);
        _headers = new LinuxMultipleMessages.MessageHeader[Capacity];
        for (int i = 0; i < Capacity; i++)
        {
            _vectors[i].Base = Marshal.UnsafeAddrOfPinnedArrayElement(_data, i * slotSize);
            _vectors[i].Length = (nuint)slotSize;
            _headers[i].Name = Marshal.UnsafeAddrOfPinnedArrayElement(_addresses, i * AddressSlot);
            _headers[i].Vectors = Marshal.UnsafeAddrOfPinnedArrayElement(_vectors, i);
            _headers[i].VectorCount = 1;
        }
    }

    /// <summary>Receives what is waiting, without blocking.</summary>
    /// <returns>How many datagrams arrived (0 when none was waiting or the call failed; the asynchronous receive then
    /// waits, and reports a lasting error itself).</returns>
    public int Receive()
    {
        for (int i = 0; i < Capacity; i++)
        {
            _headers[i].NameLength = AddressSlot;
        }

        try
        {
            int count = LinuxMultipleMessages.Receive(_socket.SafeHandle, _headers, Capacity);
            return count > 0 ? count : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>Datagram <paramref name="index"/> of the last <see cref="Receive"/>.</summary>
    public Span<byte> Datagram(int index) => _data.AsSpan(index * _slotSize, (int)Math.Min(_headers[index].Length, (uint)_slotSize));

    /// <summary>Copies the source of datagram <paramref name="index"/> into <paramref name="source"/>.</summary>
    /// <returns>False when the address does not fit (the datagram is then dropped).</returns>
    public bool TryGetSource(int index, SocketAddress source)
    {
        int length = (int)_headers[index].NameLength;
        if (length <= 0 || length > source.Buffer.Length || length > AddressSlot)
        {
            return false;
        }

        _addresses.AsSpan(index * AddressSlot, length).CopyTo(source.Buffer.Span);
        source.Size = length;
        return true;
    }
}

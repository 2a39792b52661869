using System.Net;
using System.Net.Sockets;
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
    public const int Capacity = DatagramSlots.Capacity;

    private readonly Socket _socket;
    private readonly DatagramSlots _slots;

    /// <summary>Creates the slots, each <paramref name="slotSize"/> bytes: one more than the largest datagram accepted,
    /// so that a longer one shows as too long.</summary>
    public ReceiveBatch(Socket socket, int slotSize)
    {
        _socket = socket;
        _slots = new DatagramSlots(slotSize);
    }

    /// <summary>Receives what is waiting, without blocking.</summary>
    /// <returns>How many datagrams arrived (0 when none was waiting or the call failed; the asynchronous receive then
    /// waits, and reports a lasting error itself).</returns>
    public int Receive()
    {
        LinuxMultipleMessages.MessageHeader[] headers = _slots.Headers;
        for (int i = 0; i < Capacity; i++)
        {
            headers[i].NameLength = DatagramSlots.AddressSize;
        }

        try
        {
            int count = LinuxMultipleMessages.Receive(_socket.SafeHandle, headers, Capacity);
            return count > 0 ? count : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>Datagram <paramref name="index"/> of the last <see cref="Receive"/>.</summary>
    public Span<byte> Datagram(int index) => _slots.Slot(index)[..(int)Math.Min(_slots.Headers[index].Length, (uint)_slots.SlotSize)];

    /// <summary>Copies the source of datagram <paramref name="index"/> into <paramref name="source"/>.</summary>
    /// <returns>False when the address does not fit (the datagram is then dropped).</returns>
    public bool TryGetSource(int index, SocketAddress source)
    {
        int length = (int)_slots.Headers[index].NameLength;
        if (length <= 0 || length > source.Buffer.Length || length > DatagramSlots.AddressSize)
        {
            return false;
        }

        _slots.Address(index)[..length].CopyTo(source.Buffer.Span);
        source.Size = length;
        return true;
    }
}

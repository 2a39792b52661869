using System.Runtime.InteropServices;

namespace Stt.Transport.Udp.Interop;

/// <summary>
/// <c>sendmmsg(2)</c> and <c>recvmmsg(2)</c> on 64-bit Linux: many datagrams, each with its own address, in one system
/// call. The structures are those of the LP64 Linux ABI (x86-64 and arm64).
/// </summary>
internal static class LinuxMultipleMessages
{
    /// <summary>EAGAIN / EWOULDBLOCK on Linux: the socket's send buffer is full.</summary>
    public const int WouldBlock = 11;

    /// <summary>EINTR on Linux.</summary>
    public const int Interrupted = 4;

    /// <summary>MSG_DONTWAIT on Linux.</summary>
    private const int DontWait = 0x40;

    /// <summary>Whether this process can use <see cref="Send"/> and <see cref="Receive"/>: 64-bit Linux.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess && Marshal.SizeOf<MessageHeader>() == MessageHeader.Size;

    /// <summary>Sends <paramref name="count"/> datagrams described by <paramref name="headers"/>.</summary>
    /// <returns>How many were sent, from the first; -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>
    /// when the first could not be.</returns>
    public static int Send(SafeHandle socket, MessageHeader[] headers, int offset, int count)
    {
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            return sendmmsg((int)socket.DangerousGetHandle(), ref headers[offset], (uint)count, 0);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Receives up to <paramref name="count"/> datagrams that are already waiting, without blocking.</summary>
    /// <returns>How many were received; -1 with the error in <see cref="Marshal.GetLastPInvokeError"/> when none was
    /// (<see cref="WouldBlock"/>: none is waiting).</returns>
    public static int Receive(SafeHandle socket, MessageHeader[] headers, int count)
    {
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            return recvmmsg((int)socket.DangerousGetHandle(), ref headers[0], (uint)count, DontWait, 0);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sendmmsg(int fd, ref MessageHeader headers, uint count, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int recvmmsg(int fd, ref MessageHeader headers, uint count, int flags, nint timeout);

    /// <summary><c>struct mmsghdr</c>: a <c>struct msghdr</c> (56 bytes) and the length the kernel sent.</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public struct MessageHeader
    {
        public const int Size = 64;

        /// <summary><c>msg_name</c>: the destination's <c>sockaddr</c>.</summary>
        [FieldOffset(0)]
        public nint Name;

        /// <summary><c>msg_namelen</c>.</summary>
        [FieldOffset(8)]
        public uint NameLength;

        /// <summary><c>msg_iov</c>: one <see cref="IoVector"/>.</summary>
        [FieldOffset(16)]
        public nint Vectors;

        /// <summary><c>msg_iovlen</c>.</summary>
        [FieldOffset(24)]
        public nuint VectorCount;

        /// <summary><c>msg_len</c>: bytes sent or received, set by the kernel.</summary>
        [FieldOffset(56)]
        public uint Length;
    }

    /// <summary><c>struct iovec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public nint Base;
        public nuint Length;
    }
}

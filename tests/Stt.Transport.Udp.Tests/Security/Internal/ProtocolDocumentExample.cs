namespace Stt.Transport.Udp.Tests.Security.Internal;

/// <summary>
/// The worked example of docs/protocol.md, section 15.7: secret = 32 bytes of 0x11, clock 2026-11-30 12:00:00 UTC,
/// source 192.0.2.1 port 40000, handshake ID 0102030405060708, HELLO of 1156 bytes.
/// </summary>
internal static class ProtocolDocumentExample
{
    public const string MacInput = "010AB48A200102030405060708" + "9C40" + "C0000201";

    public const string Token = "010AB48A20" + "CD041DF709CD6D889A5F87082890AB6B";

    public const string Retry = "0704" + "0102030405060708" + "0000000000000000" + "00000015" + "00" + Token;

    public const string CookieHelloPrefix = "0800" + "0102030405060708" + "0000000000000000" + "00000499" + "00" + Token;
}

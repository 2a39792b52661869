namespace Stt.Protocol.Fuzz;

/// <summary>The fuzz targets, by the name given as the harness's first argument.</summary>
/// <remarks>
/// A target gets one AFL++ input and must throw only for a finding: anything a peer may legitimately cause
/// (<see cref="ProtocolViolationException"/> from a reader) is caught inside the target. Add a parser as one line here.
/// </remarks>
internal static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<ReadOnlySpan<byte>>> All =
        new Dictionary<string, Action<ReadOnlySpan<byte>>>(StringComparer.Ordinal)
        {
            ["frame"] = FrameTarget.Run,
            ["control"] = ControlTarget.Run,
            ["handshake"] = HandshakeTarget.Run,
        };
}

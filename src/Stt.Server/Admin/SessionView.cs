using System.Globalization;
using Stt.Protocol.Sessions;
using Stt.Server.Sessions;

namespace Stt.Server.Admin;

/// <summary>One session as the admin API lists it.</summary>
internal sealed record SessionView(
    string Id,
    string Transport,
    string? Remote,
    string PeerNodeId,
    string State,
    DateTimeOffset EstablishedAt,
    DateTimeOffset LastActivityAt,
    long BytesSent,
    long BytesReceived,
    long FramesSent,
    long FramesReceived,
    long MessagesSent,
    long MessagesReceived,
    long FramesDropped,
    long FramesRetransmitted,
    int ActiveStreams,
    ulong SendKeyEpoch,
    ulong ReceiveKeyEpoch,
    double SmoothedRttMs,
    long CongestionWindow,
    long BytesInFlight)
{
    /// <summary>A view of a managed session's current statistics.</summary>
    public static SessionView From(ManagedSession managed)
    {
        ArgumentNullException.ThrowIfNull(managed);
        SessionStatistics s = managed.Session.Statistics;
        return new SessionView(
            managed.Session.SessionId.ToString("x16", CultureInfo.InvariantCulture),
            managed.Transport,
            managed.Session.RemoteEndPoint?.ToString(),
            managed.Session.PeerNodeId.ToString(),
            managed.Session.State.ToString(),
            managed.EstablishedAt,
            s.LastActivityAt,
            s.BytesSent,
            s.BytesReceived,
            s.FramesSent,
            s.FramesReceived,
            s.MessagesSent,
            s.MessagesReceived,
            s.FramesDropped,
            s.FramesRetransmitted,
            s.ActiveStreams,
            s.SendKeyEpoch,
            s.ReceiveKeyEpoch,
            s.SmoothedRtt.TotalMilliseconds,
            s.CongestionWindow,
            s.BytesInFlight);
    }
}

namespace Stt.Protocol.Handshake.Internal;

/// <summary>The output of <see cref="HandshakeVectorGenerator"/>: the four frames and what both sides derive.</summary>
internal sealed record HandshakeVector(
    byte[] Hello,
    byte[] Response,
    byte[] AuthProof,
    byte[] Final,
    ulong SessionId,
    string InitiatorNodeId,
    string ResponderNodeId,
    byte[] InitiatorToResponderSecret,
    byte[] ResponderToInitiatorSecret,
    byte[] HandshakeHash)
{
    /// <summary>One <c>name = hex</c> line per field, for docs/protocol.md.</summary>
    public string ToText() =>
        $"""
        hello         = {Convert.ToHexStringLower(Hello)}
        response      = {Convert.ToHexStringLower(Response)}
        auth_proof    = {Convert.ToHexStringLower(AuthProof)}
        final         = {Convert.ToHexStringLower(Final)}
        session_id    = {SessionId:x16}
        node_id_i     = {InitiatorNodeId}
        node_id_r     = {ResponderNodeId}
        secret_i2r_0  = {Convert.ToHexStringLower(InitiatorToResponderSecret)}
        secret_r2i_0  = {Convert.ToHexStringLower(ResponderToInitiatorSecret)}
        h             = {Convert.ToHexStringLower(HandshakeHash)}
        """;
}

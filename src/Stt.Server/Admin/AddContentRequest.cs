namespace Stt.Server.Admin;

/// <summary>The body of <c>POST /admin/content</c>.</summary>
/// <param name="Path">A file on the node's disk.</param>
/// <param name="Name">An optional name recorded in the manifest.</param>
/// <param name="MediaType">An optional media type recorded in the manifest.</param>
internal sealed record AddContentRequest(string Path, string? Name, string? MediaType);

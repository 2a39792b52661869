namespace Stt.Cli;

/// <summary>The text <c>stt --help</c> prints.</summary>
internal static class HelpText
{
    /// <summary>The full usage.</summary>
    public const string Usage = """
        stt - command-line client of an STT node

        Usage:
          stt info NODE                                   transport, node ID and round-trip time
          stt subscribe NODE CHANNEL [--replay] [--count N]
                                                          print messages: "SEQUENCE<TAB>TEXT" (or "hex:..." for binary)
          stt publish NODE CHANNEL [MESSAGE...]           publish each MESSAGE, or each stdin line when none
          stt put NODE FILE [--name NAME] [--chunk-size N]
                                                          upload a file, print its content ID
          stt get NODE CONTENT_ID OUTPUT_FILE             download (resuming OUTPUT_FILE.part), print size and SHA-256
          stt list NODE                                   list the node's content

        NODE is stt+udp://host:port or ws://host:port/stt (wss:// too).

        Options:
          --seed-file PATH   the shared seed as hex (the node writes shared.seed in its data folder);
                             default: $STT_SHARED_SEED, else ~/.local/share/stt/shared.seed
          --replay           subscribe: start with the channel's replay buffer
          --count N          subscribe: stop after N messages
          --name NAME        put: the content name (default: the file name)
          --chunk-size N     put: chunk size in bytes (default 262144)
          -h, --help         show this help

        Exit codes: 0 ok, 1 usage error, 2 connection or handshake failure, 3 the node refused the request,
        4 content integrity failure.
        """;
}

namespace Stt.Transport.Internal;

/// <summary>The wake-ups of one stream: data to read, and send-buffer space to write into.</summary>
internal sealed class StreamSignals
{
    public AsyncSignal Readable { get; } = new();

    public AsyncSignal Writable { get; } = new();

    public void SetAll()
    {
        Readable.Set();
        Writable.Set();
    }
}

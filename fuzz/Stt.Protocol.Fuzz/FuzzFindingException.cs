namespace Stt.Protocol.Fuzz;

/// <summary>An oracle in a fuzz target found behaviour that contradicts the codec's contract.</summary>
internal sealed class FuzzFindingException : Exception
{
    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public static void ThrowUnless(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzFindingException(message);
        }
    }
}

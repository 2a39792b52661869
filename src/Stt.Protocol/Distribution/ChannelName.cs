namespace Stt.Protocol.Distribution;

/// <summary>Rules for channel names and content names (docs/distribution.md, section 2).</summary>
public static class ChannelName
{
    /// <summary>
    /// Whether <paramref name="utf8"/> is a valid channel name: 1 to 128 bytes of <c>A-Z a-z 0-9 . _ - /</c>,
    /// made of '/'-separated segments none of which is empty, <c>.</c> or <c>..</c> (so no leading, trailing or
    /// doubled '/').
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length is < DistributionLimits.MinChannelNameLength or > DistributionLimits.MaxChannelNameLength)
        {
            return false;
        }

        int segmentStart = 0;
        for (int i = 0; i <= utf8.Length; i++)
        {
            if (i == utf8.Length || utf8[i] == (byte)'/')
            {
                ReadOnlySpan<byte> segment = utf8[segmentStart..i];
                if (segment.IsEmpty || segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8))
                {
                    return false;
                }

                segmentStart = i + 1;
                continue;
            }

            byte b = utf8[i];
            bool allowed = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z')
                or (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'_' or (byte)'-';
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="name"/> is a valid channel name (see <see cref="IsValid(ReadOnlySpan{byte})"/>).</summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.Length is < DistributionLimits.MinChannelNameLength or > DistributionLimits.MaxChannelNameLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[DistributionLimits.MaxChannelNameLength];
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] > 0x7F)
            {
                return false;
            }

            bytes[i] = (byte)name[i];
        }

        return IsValid(bytes[..name.Length]);
    }

    /// <summary>
    /// Whether <paramref name="utf8"/> is a valid content name: at most 255 bytes of well-formed UTF-8 with no
    /// control character (U+0000 to U+001F, U+007F). The empty name means "no name".
    /// </summary>
    public static bool IsValidContentName(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > DistributionLimits.MaxContentNameLength || !System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }

        foreach (byte b in utf8)
        {
            if (b < 0x20 || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Stt.Server.Tests.Operations;

/// <summary>Reads the Prometheus text exposition format well enough to check series values and duplicate names.</summary>
internal static partial class MetricsText
{
    /// <summary>The sum of every series of <paramref name="name"/> whose labels include all of <paramref name="labels"/>; null when none matches.</summary>
    public static double? Sum(string exposition, string name, params (string Key, string Value)[] labels)
    {
        double? sum = null;
        foreach (string line in exposition.Split('\n'))
        {
            Match match = SeriesLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name)
            {
                continue;
            }

            string labelText = match.Groups["labels"].Value;
            if (labels.All(l => labelText.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                sum = (sum ?? 0) + double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    /// <summary>The metric names of the <c># TYPE</c> lines, in order, duplicates kept.</summary>
    public static List<string> TypeNames(string exposition) =>
        [.. exposition.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2])];

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex SeriesLine();
}

using System.Reflection;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace Stt.Testing.Buffers;

/// <summary>
/// Theory data: each hex fixture in every layout of <see cref="Segmentations.Of"/>. The theory takes one
/// <see cref="Segmentation"/> parameter.
/// </summary>
/// <example><c>[Theory, SegmentedData("0102", "03")] public void Scan_Fixture_Works(Segmentation input)</c></example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class SegmentedDataAttribute : DataAttribute
{
    /// <summary>Creates the attribute from fixtures written as hex strings (spaces allowed).</summary>
    public SegmentedDataAttribute(params string[] hexFixtures)
    {
        HexFixtures = hexFixtures;
    }

    /// <summary>The fixtures, as hex.</summary>
    public IReadOnlyList<string> HexFixtures { get; }

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        var rows = new List<ITheoryDataRow>();
        foreach (string hex in HexFixtures)
        {
            byte[] fixture = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
            foreach (Segmentation segmentation in Segmentations.Of(fixture))
            {
                rows.Add(new TheoryDataRow<Segmentation>(segmentation));
            }
        }

        return new ValueTask<IReadOnlyCollection<ITheoryDataRow>>(rows);
    }

    /// <summary>Segmentations are not serializable, so rows are produced when the theory runs.</summary>
    public override bool SupportsDiscoveryEnumeration() => false;
}

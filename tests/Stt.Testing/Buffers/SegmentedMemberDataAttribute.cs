using System.Reflection;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace Stt.Testing.Buffers;

/// <summary>
/// Theory data from a static member, like <c>MemberData</c>, with the first argument of every row (a
/// <c>byte[]</c>) expanded into every layout of <see cref="Segmentations.Of"/>. The theory's first parameter
/// is a <see cref="Segmentation"/>; the row's other arguments follow unchanged.
/// </summary>
/// <remarks>The member may yield plain <c>byte[]</c> fixtures, <c>object[]</c> rows or <see cref="ITheoryDataRow"/>s.</remarks>
/// <example><c>[Theory, SegmentedMemberData(nameof(ValidFrames))] public void Scan_ValidFrame_Done(Segmentation input, string name)</c></example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class SegmentedMemberDataAttribute : MemberDataAttributeBase
{
    /// <summary>Creates the attribute for the static member <paramref name="memberName"/> of the test class.</summary>
    public SegmentedMemberDataAttribute(string memberName, params object?[] arguments)
        : base(memberName, arguments)
    {
    }

    /// <inheritdoc/>
    public override async ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        var rows = new List<ITheoryDataRow>();
        foreach (ITheoryDataRow row in await base.GetData(testMethod, disposalTracker))
        {
            object?[] data = row.GetData();
            if (data.Length == 0 || data[0] is not byte[] fixture)
            {
                throw new ArgumentException($"Each row of {MemberName} must start with a byte[] fixture.");
            }

            foreach (Segmentation segmentation in Segmentations.Of(fixture))
            {
                object?[] expanded = (object?[])data.Clone();
                expanded[0] = segmentation;
                rows.Add(new TheoryDataRow(expanded));
            }
        }

        return rows;
    }

    /// <inheritdoc/>
    protected override ITheoryDataRow ConvertDataRow(object dataRow) =>
        dataRow is byte[] fixture ? new TheoryDataRow(fixture) : base.ConvertDataRow(dataRow);

    /// <summary>Segmentations are not serializable, so rows are produced when the theory runs.</summary>
    public override bool SupportsDiscoveryEnumeration() => false;
}

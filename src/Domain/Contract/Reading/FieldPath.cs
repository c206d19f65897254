namespace YoungCarers.Domain.Contract.Reading;

/// <summary>
/// Where a value sits in the event, e.g. <c>data.children[2]</c>. Kept in parts and joined only
/// when an error is reported, so valid events build no path strings for their leaf fields.
/// </summary>
/// <param name="Parent">The containing object's path; empty for the envelope.</param>
/// <param name="Index">The position within the array <paramref name="Name"/>, or -1.</param>
internal readonly record struct FieldPath(string Parent, string Name, int Index = -1)
{
    /// <summary>The envelope itself, for errors about the whole event.</summary>
    public const string Root = "$";

    public FieldPath Item(int index) => this with { Index = index };

    public override string ToString()
    {
        var field = Parent.Length == 0 ? Name : $"{Parent}.{Name}";
        return Index < 0 ? field : $"{field}[{Index}]";
    }
}

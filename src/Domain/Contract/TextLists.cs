namespace YoungCarers.Domain.Contract;

/// <summary>Look-ups in the short lists of text that events and evaluations carry.</summary>
public static class TextLists
{
    /// <summary>
    /// Whether the list holds the value, compared ordinally. Indexed, not enumerated: the lists are
    /// arrays behind an interface, whose enumerator would be allocated on every look-up.
    /// </summary>
    public static bool ContainsOrdinal(IReadOnlyList<string> values, string value)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

namespace YoungCarers.Ingest.Http;

/// <summary>
/// Marks a read whose answer holds personal data (events as received, persons matched by name and
/// birth date), so the host puts it under its access log; this layer cannot reach that log itself.
/// </summary>
/// <param name="familyIdsOf">The families an answer's value shows (none when it shows none).</param>
public sealed class PersonalDataRead(Func<object?, IEnumerable<string?>> familyIdsOf)
{
    public IEnumerable<string?> FamilyIdsOf(object? value) => familyIdsOf(value);
}

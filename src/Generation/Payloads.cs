using System.Text.Json;

namespace YoungCarers.Generation;

/// <summary>A person as one system knows them: the SPEC's PersonRef.</summary>
internal sealed record PersonRef(
    string System,
    string Id,
    string? NhsNumber,
    string GivenName,
    string FamilyName,
    DateOnly? BirthDate,
    string? Postcode)
{
    /// <summary>The envelope's <c>subject</c> for events about this person, e.g. <c>person/LAS/7781</c>.</summary>
    public string Subject { get; } = string.Concat("person/", System, "/", Id);
}

/// <summary>The SPEC's ChildInHousehold.</summary>
/// <param name="ProvidesCare">"yes", "no" or "unknown".</param>
/// <param name="CaringTasks">Left out of the JSON when empty.</param>
internal sealed record HouseholdChild(PersonRef Child, string ProvidesCare, IReadOnlyList<string> CaringTasks, int? HoursPerWeek);

internal sealed record LeadProfessional(string Name, string Team, string Service);

/// <summary>
/// A payload field's value. Payloads are data rather than one class per event type, so that the
/// renderer writes every type the same way and a defect (a missing field, an impossible date, a
/// bad enum value) can be applied to any of them.
/// </summary>
internal abstract record FieldValue;

/// <summary>An id, a code or free text.</summary>
internal sealed record TextValue(string Text) : FieldValue;

/// <summary>A value from one of the SPEC's closed lists.</summary>
internal sealed record EnumValue(string Text) : FieldValue;

internal sealed record DateValue(DateOnly Date) : FieldValue;

internal sealed record BoolValue(bool Flag) : FieldValue
{
    public static BoolValue True { get; } = new(true);

    public static BoolValue False { get; } = new(false);

    public static BoolValue Of(bool flag) => flag ? True : False;
}

internal sealed record PersonValue(PersonRef Person) : FieldValue;

internal sealed record PeopleValue(IReadOnlyList<PersonRef> People) : FieldValue;

internal sealed record HouseholdValue(IReadOnlyList<HouseholdChild> Children) : FieldValue;

internal sealed record StringsValue(IReadOnlyList<string> Items) : FieldValue;

internal sealed record LeadValue(LeadProfessional Lead) : FieldValue;

/// <param name="Optional">The SPEC marks it optional, so leaving it out is no defect.</param>
internal readonly record struct Field(JsonEncodedText Name, FieldValue Value, bool Optional = false);

/// <summary>An event's <c>type</c> and <c>data</c>.</summary>
/// <param name="Subject">The person the event is about, named in the envelope's <c>subject</c>.</param>
internal sealed record Payload(string Type, Field[] Fields, PersonRef Subject);

/// <summary>An event of a family's storyline, placed in time and attributed to its source system.</summary>
/// <param name="Sequence">Its place in the family's storyline as written, which breaks ties in time.</param>
/// <param name="HasSubject">Partners do not follow the case systems' <c>person/...</c> subject convention, so they leave it out.</param>
internal sealed record SyntheticEvent(int Family, int Sequence, Guid Id, DateTime Time, string Source, bool HasSubject, Payload Payload);

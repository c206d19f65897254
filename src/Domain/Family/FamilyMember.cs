using System.Collections.Immutable;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Family;

/// <summary>
/// One person in the family, joined from every way the systems name them: the same (system, id)
/// or the same NHS number is the same person. Identifiers read <c>system:LAS/7781</c> or
/// <c>nhs:9434765919</c>, the form the integration team uses to name a person in a split.
/// </summary>
/// <param name="Key">The (system, id) identifier the family first saw for the person; stable while they stay.</param>
/// <param name="NamedAsChild">Some event named them in a child's place, which counts when no birth date is known.</param>
/// <param name="LastSeenAt">The latest <c>time</c> of an event naming them, so older events do not overwrite newer details.</param>
public sealed record FamilyMember(
    string Key,
    ImmutableArray<string> Identifiers,
    string? GivenName,
    string? FamilyName,
    DateOnly? BirthDate,
    string? Postcode,
    bool NamedAsChild,
    DateTimeOffset LastSeenAt)
{
    /// <summary>Room for an identifier as the contract bounds its parts; a longer one is built as a string instead.</summary>
    internal const int IdentifierBufferLength = 256;

    /// <summary>The person's identifiers in ordinal order.</summary>
    public static ImmutableArray<string> IdentifiersOf(PersonRef person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var system = SystemIdentifierOf(person);
        if (person.NhsNumber is null)
        {
            return [system];
        }

        var nhs = NhsIdentifierOf(person.NhsNumber);
        return string.CompareOrdinal(nhs, system) < 0 ? [nhs, system] : [system, nhs];
    }

    public static string SystemIdentifierOf(PersonRef person) => $"system:{person.System}/{person.Id}";

    public static string NhsIdentifierOf(string nhsNumber) => $"nhs:{nhsNumber}";

    /// <summary>
    /// <see cref="SystemIdentifierOf(PersonRef)"/> written into <paramref name="buffer"/> when it fits, so that
    /// the rules, which look people up again and again while a family is evaluated, need not
    /// allocate a string for each look-up.
    /// </summary>
    internal static ReadOnlySpan<char> SystemIdentifierOf(PersonRef person, Span<char> buffer) =>
        buffer.TryWrite($"system:{person.System}/{person.Id}", out var written) ? buffer[..written] : SystemIdentifierOf(person);

    /// <summary><see cref="NhsIdentifierOf(string)"/> written into <paramref name="buffer"/> when it fits.</summary>
    internal static ReadOnlySpan<char> NhsIdentifierOf(string nhsNumber, Span<char> buffer) =>
        buffer.TryWrite($"nhs:{nhsNumber}", out var written) ? buffer[..written] : NhsIdentifierOf(nhsNumber);

    /// <summary>Whether any of the person's identifiers is one of this member's.</summary>
    public bool IsNamedBy(PersonRef person)
    {
        ArgumentNullException.ThrowIfNull(person);
        Span<char> buffer = stackalloc char[IdentifierBufferLength];
        return Has(SystemIdentifierOf(person, buffer)) || (person.NhsNumber is { } nhs && Has(NhsIdentifierOf(nhs, buffer)));
    }

    // A member has one or two identifiers, so a scan beats building a string to search with.
    internal bool Has(ReadOnlySpan<char> identifier)
    {
        foreach (var known in Identifiers)
        {
            if (identifier.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }

    internal static FamilyMember From(PersonRef person, bool asChild, DateTimeOffset seenAt) =>
        new(SystemIdentifierOf(person), IdentifiersOf(person), person.GivenName, person.FamilyName, person.BirthDate, person.Postcode, asChild, seenAt);

    /// <summary>
    /// What <see cref="Absorb"/> makes of a record of the person built by <see cref="From"/>, for a
    /// person whose identifiers this member already holds, without building that record.
    /// </summary>
    internal FamilyMember SeenAgain(PersonRef person, bool asChild, DateTimeOffset seenAt) =>
        Joined(Identifiers, person.GivenName, person.FamilyName, person.BirthDate, person.Postcode, asChild, seenAt);

    /// <summary>This member with what another record of the same person adds.</summary>
    internal FamilyMember Absorb(FamilyMember other) =>
        Joined(Union(Identifiers, other.Identifiers), other.GivenName, other.FamilyName, other.BirthDate, other.Postcode, other.NamedAsChild, other.LastSeenAt);

    /// <summary>Whether the two members share an identifier.</summary>
    internal bool SharesIdentifierWith(FamilyMember other)
    {
        foreach (var identifier in other.Identifiers)
        {
            if (Identifiers.Contains(identifier))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Both sorted identifier lists as one, in ordinal order without repeats; <paramref name="mine"/> itself when it holds them all.</summary>
    private static ImmutableArray<string> Union(ImmutableArray<string> mine, ImmutableArray<string> theirs)
    {
        var missing = false;
        foreach (var identifier in theirs)
        {
            missing |= !mine.Contains(identifier);
        }

        if (!missing)
        {
            return mine;
        }

        var all = new SortedSet<string>(mine, StringComparer.Ordinal);
        all.UnionWith(theirs);
        return [.. all];
    }

    /// <summary>
    /// This member joined with another record's details, seen at <paramref name="seenAt"/>: the newer
    /// record's details win and the older one's fill its gaps; this member itself when nothing changes.
    /// </summary>
    private FamilyMember Joined(
        ImmutableArray<string> identifiers, string? givenName, string? familyName, DateOnly? birthDate, string? postcode, bool asChild, DateTimeOffset seenAt)
    {
        var otherIsNewer = seenAt >= LastSeenAt;
        givenName = otherIsNewer ? givenName ?? GivenName : GivenName ?? givenName;
        familyName = otherIsNewer ? familyName ?? FamilyName : FamilyName ?? familyName;
        birthDate = otherIsNewer ? birthDate ?? BirthDate : BirthDate ?? birthDate;
        postcode = otherIsNewer ? postcode ?? Postcode : Postcode ?? postcode;
        var namedAsChild = NamedAsChild || asChild;
        var lastSeenAt = otherIsNewer ? seenAt : LastSeenAt;
        return identifiers == Identifiers && givenName == GivenName && familyName == FamilyName && birthDate == BirthDate
            && postcode == Postcode && namedAsChild == NamedAsChild && lastSeenAt == LastSeenAt
            ? this
            : new(Key, identifiers, givenName, familyName, birthDate, postcode, namedAsChild, lastSeenAt);
    }
}

/// <summary>A role SPEC section 3 derives from what the systems recorded, at an instant.</summary>
public enum FamilyRole
{
    AdultWithCareNeeds,
    Child,
    YoungCarer,
    YoungAdultCarer,
}

/// <summary>A member as they stand at the evaluation instant: age and roles are derived, never stored.</summary>
/// <param name="Age">Whole years at the instant; null when no birth date is known.</param>
/// <param name="CaresFor">Keys of the members this person is recorded as caring for.</param>
public sealed record MemberView(FamilyMember Member, int? Age, IReadOnlyList<FamilyRole> Roles, IReadOnlyList<string> CaresFor)
{
    public IReadOnlyList<FamilyRole> Roles { get; init => field = ValueList.Of(value); } = ValueList.Of(Roles);

    public IReadOnlyList<string> CaresFor { get; init => field = ValueList.Of(value); } = ValueList.Of(CaresFor);
}

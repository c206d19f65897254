namespace YoungCarers.Ingest.Identity;

/// <summary>One identifier of a person: a case system's id, or an NHS number.</summary>
public readonly record struct IdentityKey(string Scheme, string Value)
{
    public const string NhsScheme = "nhs";
    private const string SystemPrefix = "system:";

    public static IdentityKey ForSystem(string system, string id) => new(SystemPrefix + system, id);

    public static IdentityKey ForNhsNumber(string nhsNumber) => new(NhsScheme, nhsNumber);

    public override string ToString() => $"{Scheme}/{Value}";
}

/// <summary>A person as one event describes them: every identifier it gives, and the details used for match candidates.</summary>
public sealed record PersonSighting(IReadOnlyList<IdentityKey> Keys, string? GivenName, string? FamilyName, DateOnly? BirthDate);

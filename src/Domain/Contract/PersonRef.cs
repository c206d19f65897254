namespace YoungCarers.Domain.Contract;

/// <summary>A person as one source system knows them; <c>system</c> + <c>id</c> identify them there.</summary>
/// <param name="NhsNumber">Ten digits with a valid modulus-11 check digit.</param>
/// <param name="BirthDate">Always present for a child (ages drive transition rules); optional for an adult.</param>
public sealed record PersonRef(
    string System,
    string Id,
    string? NhsNumber,
    string? GivenName,
    string? FamilyName,
    DateOnly? BirthDate,
    string? Postcode);

/// <summary>A child living in an adult's household, as the adult's assessment or referral records them.</summary>
/// <param name="CaringTasks">Empty when none were recorded.</param>
public sealed record ChildInHousehold(
    PersonRef Child,
    CareProvision ProvidesCare,
    IReadOnlyList<string> CaringTasks,
    decimal? HoursPerWeek)
{
    public IReadOnlyList<string> CaringTasks { get; init => field = ValueList.Of(value); } = ValueList.Of(CaringTasks);
}

/// <summary>The practitioner families and other services contact.</summary>
public sealed record LeadProfessional(string Name, string Team, string Service);

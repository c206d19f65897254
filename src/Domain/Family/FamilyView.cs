using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Family;

/// <summary>The two services that owe obligations, by their contract names.</summary>
public static class Services
{
    public const string AdultSocialCare = "adult-social-care";
    public const string ChildrensSocialCare = "childrens-social-care";

    /// <summary>Both services, in ordinal order (as a flag's services are kept): what a flag about the two of them concerns, and the values a service filter or field takes.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly([AdultSocialCare, ChildrensSocialCare]);
}

/// <summary>What kind of open involvement a service has (SPEC section 5).</summary>
public enum InvolvementKind
{
    Referral,
    Assessment,
    Plan,
    Support,
    Enquiry,
}

/// <summary>One open piece of a service's involvement with a person, and the event that began it.</summary>
/// <param name="Id">The case system's id (referral, assessment, plan, enquiry).</param>
public sealed record Involvement(string Service, string PersonKey, InvolvementKind Kind, string Id, DateOnly Since, EventRef OpenedBy);

/// <summary>The whole family at an instant: members with ages and roles, open involvement, lead professional.</summary>
/// <param name="SurvivorFamilyId">Set when this family was merged into another, which now answers for it.</param>
/// <param name="MergedFamilyIds">Families merged into this one.</param>
public sealed record FamilyView(
    IReadOnlyList<MemberView> Members,
    IReadOnlyList<Involvement> OpenInvolvement,
    LeadProfessional? LeadProfessional,
    string? SurvivorFamilyId,
    IReadOnlyList<string> MergedFamilyIds)
{
    public IReadOnlyList<MemberView> Members { get; init => field = ValueList.Of(value); } = ValueList.Of(Members);

    public IReadOnlyList<Involvement> OpenInvolvement { get; init => field = ValueList.Of(value); } = ValueList.Of(OpenInvolvement);

    public IReadOnlyList<string> MergedFamilyIds { get; init => field = ValueList.Of(value); } = ValueList.Of(MergedFamilyIds);
}

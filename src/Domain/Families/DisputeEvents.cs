using System.Text.Json.Serialization;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Family;

namespace YoungCarers.Domain.Families;

/// <summary>What a dispute between the services is about (SPEC section 6; seed 001 section 18).</summary>
public enum DisputeSubject
{
    /// <summary>Whether a need belongs to the young carer or to the adult they care for.</summary>
    [JsonStringEnumMemberName("need-ownership")]
    NeedOwnership,

    [JsonStringEnumMemberName("threshold")]
    Threshold,

    [JsonStringEnumMemberName("funding")]
    Funding,
}

/// <summary>One service's share of the cost a resolution agreed, in percent.</summary>
/// <param name="Service"><c>adult-social-care</c> or <c>childrens-social-care</c>.</param>
public sealed record FundingShare(string Service, decimal Percent)
{
    public string Service { get; } = FamilyEventRules.Service(Service, nameof(Service));

    public decimal Percent { get; } = Percent is >= 0 and <= 100
        ? Percent
        : throw new ArgumentOutOfRangeException(nameof(Percent), Percent, "A funding share is between 0 and 100 percent.");
}

/// <summary>
/// A service raised a dispute about the family (through the API). It starts at the first stage of
/// the local policy's ladder, and an interim lead service is owed from this instant.
/// </summary>
/// <param name="RaisedBy">The service raising it: <c>adult-social-care</c> or <c>childrens-social-care</c>.</param>
/// <param name="Persons">
/// The persons it concerns, each by one identifier in the form the integration team uses
/// (<c>system:LAS/7781</c> or <c>nhs:9434765919</c>), which survives merges; empty for the whole family.
/// </param>
/// <param name="RaisedOn">When it was raised: its timers run from here.</param>
/// <param name="RaisedByUser">Who raised it.</param>
public sealed record DisputeRaised(
    string DisputeId,
    string RaisedBy,
    DisputeSubject Subject,
    IReadOnlyList<string> Persons,
    string Summary,
    DateTimeOffset RaisedOn,
    string RaisedByUser) : IFamilyEvent
{
    public const string TypeName = "dispute.raised.v1";

    public string DisputeId { get; } = FamilyEventRules.Text(DisputeId, nameof(DisputeId));

    public string RaisedBy { get; } = FamilyEventRules.Service(RaisedBy, nameof(RaisedBy));

    public IReadOnlyList<string> Persons { get; init => field = ValueList.Of(value); } = ValueList.Of(Persons);

    public string Summary { get; } = FamilyEventRules.Text(Summary, nameof(Summary));

    public string RaisedByUser { get; } = FamilyEventRules.Text(RaisedByUser, nameof(RaisedByUser));
}

/// <summary>
/// A user moved a dispute one stage up the ladder before its stage deadline passed (a deadline
/// passing escalates it by itself, with no event).
/// </summary>
/// <param name="FromStage">
/// The stage number (1 = first) the user saw the dispute at. When the dispute has meanwhile moved on
/// (a deadline passed and it escalated automatically), the escalation has already happened and this
/// one does not move it again. Null escalates from whatever stage it is at.
/// </param>
public sealed record DisputeEscalated(
    string DisputeId,
    string Reason,
    DateTimeOffset EscalatedOn,
    string EscalatedBy,
    int? FromStage) : IFamilyEvent
{
    public const string TypeName = "dispute.escalated.v1";

    public string DisputeId { get; } = FamilyEventRules.Text(DisputeId, nameof(DisputeId));

    public string Reason { get; } = FamilyEventRules.Text(Reason, nameof(Reason));

    public string EscalatedBy { get; } = FamilyEventRules.Text(EscalatedBy, nameof(EscalatedBy));
}

/// <summary>The services agreed which of them leads while the dispute is open (seed 001 section 18).</summary>
/// <param name="LeadService"><c>adult-social-care</c> or <c>childrens-social-care</c>.</param>
/// <param name="AgreedBy">Who recorded the agreement, if known.</param>
public sealed record DisputeInterimLeadAgreed(
    string DisputeId,
    string LeadService,
    DateTimeOffset AgreedOn,
    string? AgreedBy) : IFamilyEvent
{
    public const string TypeName = "dispute.interim-lead-agreed.v1";

    public string DisputeId { get; } = FamilyEventRules.Text(DisputeId, nameof(DisputeId));

    public string LeadService { get; } = FamilyEventRules.Service(LeadService, nameof(LeadService));
}

/// <summary>The dispute was resolved: which service leads and, where relevant, how the cost is split.</summary>
/// <param name="FundingSplit">Shares per service adding up to 100 percent; null when funding was not in question.</param>
/// <param name="ResolvedBy">Who recorded the resolution, if known.</param>
public sealed record DisputeResolved(
    string DisputeId,
    string LeadService,
    IReadOnlyList<FundingShare>? FundingSplit,
    DateTimeOffset ResolvedOn,
    string? Note,
    string? ResolvedBy) : IFamilyEvent
{
    public const string TypeName = "dispute.resolved.v1";

    public string DisputeId { get; } = FamilyEventRules.Text(DisputeId, nameof(DisputeId));

    public string LeadService { get; } = FamilyEventRules.Service(LeadService, nameof(LeadService));

    public IReadOnlyList<FundingShare>? FundingSplit { get; init => field = FamilyEventRules.Split(value, nameof(FundingSplit)); } = FamilyEventRules.Split(FundingSplit, nameof(FundingSplit));
}

/// <summary>
/// The integration team set an obligation aside, with a reason. It names the obligation by its
/// <see cref="Obligation.Id"/>; a met obligation stays met, and an id naming no obligation changes nothing.
/// </summary>
public sealed record ObligationWaived(string ObligationId, string Reason, string WaivedBy, DateTimeOffset WaivedAt) : IFamilyEvent
{
    public const string TypeName = "obligation.waived.v1";

    public string ObligationId { get; } = FamilyEventRules.Text(ObligationId, nameof(ObligationId));

    public string Reason { get; } = FamilyEventRules.Text(Reason, nameof(Reason));

    public string WaivedBy { get; } = FamilyEventRules.Text(WaivedBy, nameof(WaivedBy));
}

/// <summary>What every family event insists on, so an invalid one is refused where it is made.</summary>
internal static class FamilyEventRules
{
    public static string Text(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} is required and must not be blank.", name) : value;

    public static string Service(string? value, string name) => value is Services.AdultSocialCare or Services.ChildrensSocialCare
        ? value
        : throw new ArgumentException($"{name} must be \"{Services.AdultSocialCare}\" or \"{Services.ChildrensSocialCare}\".", name);

    public static IReadOnlyList<FundingShare>? Split(IReadOnlyList<FundingShare>? shares, string name)
    {
        if (shares is null)
        {
            return null;
        }

        if (shares.Count == 0 || shares.Any(share => share is null) || shares.Select(share => share.Service).Distinct(StringComparer.Ordinal).Count() != shares.Count
            || shares.Sum(share => share.Percent) != 100m)
        {
            throw new ArgumentException("A funding split names each service at most once and its shares add up to 100 percent.", name);
        }

        return ValueList.Of(shares);
    }
}

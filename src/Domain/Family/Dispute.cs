using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;

namespace YoungCarers.Domain.Family;

public enum DisputeStatus
{
    Open,
    Resolved,
}

/// <summary>How a dispute left a stage of the ladder.</summary>
public enum DisputeStageExit
{
    /// <summary>A user escalated it before the stage deadline.</summary>
    EscalatedManually,

    /// <summary>The stage deadline passed unresolved: the stage is recorded as overdue and the dispute moved up.</summary>
    EscalatedAutomatically,

    Resolved,
}

public enum InterimLeadStatus
{
    /// <summary>None agreed yet, and the deadline has not passed.</summary>
    Pending,

    AgreedInTime,

    /// <summary>Agreed, but after the deadline.</summary>
    AgreedLate,

    /// <summary>The deadline passed with none agreed.</summary>
    Missed,

    /// <summary>The dispute was resolved before the deadline without one.</summary>
    NotNeeded,
}

/// <summary>One stage a dispute was (or is) at.</summary>
/// <param name="Number">1 for the first rung of the ladder.</param>
/// <param name="Name">The rung's name in the local policy (who holds the dispute).</param>
/// <param name="DueOn">The last working day at this stage.</param>
/// <param name="Deadline">The end of <paramref name="DueOn"/> in UK time.</param>
/// <param name="LeftAt">When it left the stage; null while it is the current stage of an open dispute.</param>
/// <param name="LeftBy">The escalation or resolution event; null for an automatic escalation or the current stage.</param>
/// <param name="Reason">The user's reason for a manual escalation, the deadline for an automatic one, the note of a resolution.</param>
/// <param name="Overdue">The stage went past its deadline (escalated automatically, resolved late, or still open past it).</param>
public sealed record DisputeStageRecord(
    int Number,
    string Name,
    DateTimeOffset EnteredAt,
    DateOnly DueOn,
    DateTimeOffset Deadline,
    DateTimeOffset? LeftAt,
    DisputeStageExit? Exit,
    EventRef? LeftBy,
    string? Reason,
    bool Overdue);

/// <summary>The interim lead service owed while a dispute is open.</summary>
/// <param name="DueOn">The working day by which one must be agreed.</param>
/// <param name="Deadline">The end of <paramref name="DueOn"/> in UK time.</param>
/// <param name="LeadService">The lead most recently agreed, if any.</param>
/// <param name="AgreedOn">When a lead was first agreed, if ever.</param>
/// <param name="AgreedBy">The event of the lead most recently agreed.</param>
public sealed record InterimLead(
    InterimLeadStatus Status,
    DateOnly DueOn,
    DateTimeOffset Deadline,
    string? LeadService,
    DateTimeOffset? AgreedOn,
    EventRef? AgreedBy);

/// <summary>How a dispute was resolved.</summary>
/// <param name="FundingSplit">Empty when funding was not in question.</param>
public sealed record DisputeResolution(
    string LeadService,
    IReadOnlyList<FundingShare> FundingSplit,
    DateTimeOffset ResolvedOn,
    string? Note,
    string? ResolvedBy,
    EventRef ResolvedByEvent)
{
    public IReadOnlyList<FundingShare> FundingSplit { get; init => field = ValueList.Of(value); } = ValueList.Of(FundingSplit);
}

/// <summary>
/// A dispute between the services about the family (SPEC section 6) at an instant, explaining
/// itself: where it is on the ladder and since when, every stage it passed through and how it left
/// it, its interim lead, its resolution, the events involved and the memorandum clause behind it.
/// </summary>
/// <param name="PersonKeys">
/// The <see cref="FamilyMember.Key"/>s of the persons it concerns; a person no longer in the family
/// keeps the identifier it was raised with. Empty for the whole family.
/// </param>
/// <param name="Stage">The current stage number (1 = first), or the stage it was resolved at.</param>
/// <param name="PastDeadline">Open and past the current stage's deadline: only at the last stage, as earlier ones escalate.</param>
/// <param name="Overdue">Why the <c>dispute-overdue</c> flag is raised for it; null when it is not.</param>
/// <param name="Events">Every event involved: the raising, escalations, interim lead agreements and the resolution.</param>
public sealed record Dispute(
    string DisputeId,
    string RaisedBy,
    DisputeSubject Subject,
    IReadOnlyList<string> PersonKeys,
    string Summary,
    DateTimeOffset RaisedOn,
    string RaisedByUser,
    DisputeStatus Status,
    int Stage,
    string StageName,
    DateTimeOffset StageEnteredAt,
    DateOnly StageDueOn,
    DateTimeOffset StageDeadline,
    bool PastDeadline,
    IReadOnlyList<DisputeStageRecord> History,
    InterimLead InterimLead,
    DisputeResolution? Resolution,
    string? Overdue,
    IReadOnlyList<EventRef> Events,
    string Basis,
    string PolicyVersion)
{
    public IReadOnlyList<string> PersonKeys { get; init => field = ValueList.Of(value); } = ValueList.Of(PersonKeys);

    public IReadOnlyList<DisputeStageRecord> History { get; init => field = ValueList.Of(value); } = ValueList.Of(History);

    public IReadOnlyList<EventRef> Events { get; init => field = ValueList.Of(value); } = ValueList.Of(Events);
}

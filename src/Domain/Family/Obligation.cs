namespace YoungCarers.Domain.Family;

public enum ObligationStatus
{
    Open,
    Met,

    /// <summary>Open and past its deadline.</summary>
    Overdue,

    /// <summary>Set aside by the integration team, with a reason.</summary>
    Waived,
}

/// <summary>
/// A handover duty one service owes about one person (SPEC section 5), explaining itself: the event
/// that opened it, the event that met it, when it falls due, the clause behind it and the policy
/// version its timescale came from.
/// </summary>
/// <param name="PersonKey">The <see cref="FamilyMember.Key"/> of the person it is about.</param>
/// <param name="Deadline">The end of <paramref name="DueOn"/> in UK time: from this instant an open obligation is overdue.</param>
/// <param name="Waiver">Set when <paramref name="Status"/> is <see cref="ObligationStatus.Waived"/>: who set it aside, why, and the event that says so.</param>
public sealed record Obligation(
    string Kind,
    string OwedBy,
    string PersonKey,
    EventRef OpenedBy,
    DateOnly OpenedOn,
    EventRef? MetBy,
    DateOnly? MetOn,
    DateOnly DueOn,
    DateTimeOffset Deadline,
    ObligationStatus Status,
    string Basis,
    string PolicyVersion,
    ObligationWaiver? Waiver = null)
{
    /// <summary>
    /// Stable across rebuilds: one rule, one person, one opening event. It is how anything said
    /// about an obligation later (a waiver, a note) finds it again. After a merge the person's key
    /// can be another of their identifiers (the one the surviving family saw first); a waiver naming
    /// the person by any of their identifiers still finds the obligation.
    /// </summary>
    public string Id => $"{Kind}:{PersonKey}:{OpenedBy.Source}/{OpenedBy.EventId}";
}

/// <summary>The integration team's decision to set an obligation aside, as the obligation cites it.</summary>
public sealed record ObligationWaiver(string Reason, string WaivedBy, DateTimeOffset WaivedAt, EventRef WaivedByEvent);

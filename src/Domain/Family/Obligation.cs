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
    // Made with the obligation, from what it is made of, so that equal obligations hold equal ids.
    private string _id = IdOf(Kind, PersonKey, OpenedBy);

    public string Kind { get; init { field = value; _id = IdOf(value, PersonKey, OpenedBy); } } = Kind;

    public string PersonKey { get; init { field = value; _id = IdOf(Kind, value, OpenedBy); } } = PersonKey;

    public EventRef OpenedBy { get; init { field = value; _id = IdOf(Kind, PersonKey, value); } } = OpenedBy;

    /// <summary>
    /// Stable across rebuilds: one rule, one person, one opening event. It is how anything said
    /// about an obligation later (a waiver, a note) finds it again. After a merge the person's key
    /// can be another of their identifiers (the one the surviving family saw first); a waiver naming
    /// the person by any of their identifiers still finds the obligation.
    /// </summary>
    /// <remarks>Made once (lists sort by it, and the read model writes it and hashes it); a copy with another kind, person or opener makes it again.</remarks>
    public string Id => _id;

    private static string IdOf(string kind, string personKey, EventRef openedBy) =>
        $"{kind}:{personKey}:{openedBy?.Source}/{openedBy?.EventId}";
}

/// <summary>The integration team's decision to set an obligation aside, as the obligation cites it.</summary>
public sealed record ObligationWaiver(string Reason, string WaivedBy, DateTimeOffset WaivedAt, EventRef WaivedByEvent);

using YoungCarers.Domain.Calendar;

namespace YoungCarers.Domain.Policy;

/// <summary>The handover obligations of SPEC section 5, by their contract names.</summary>
public static class ObligationKinds
{
    public const string RecordChildrenInHousehold = "record-children-in-household";
    public const string ReferYoungCarer = "refer-young-carer";
    public const string AcknowledgeReferral = "acknowledge-referral";
    public const string DecideOnReferral = "decide-on-referral";
    public const string YoungCarerAssessment = "young-carer-assessment";
    public const string OfferAdultAssessment = "offer-adult-assessment";
    public const string CompleteAdultAssessment = "complete-adult-assessment";
    public const string ReviewCarePlanRelyingOnChild = "review-care-plan-relying-on-child";
    public const string TransitionAssessment = "transition-assessment";
    public const string ReviewYoungCarerAssessment = "review-young-carer-assessment";

    public static IReadOnlyList<string> All { get; } =
    [
        RecordChildrenInHousehold, ReferYoungCarer, AcknowledgeReferral, DecideOnReferral, YoungCarerAssessment,
        OfferAdultAssessment, CompleteAdultAssessment, ReviewCarePlanRelyingOnChild, TransitionAssessment, ReviewYoungCarerAssessment,
    ];
}

public enum DayCount
{
    WorkingDays,
    CalendarDays,
}

/// <summary>How long an obligation has: so many working or calendar days from the event that opened it.</summary>
public sealed record Timescale(int Days, DayCount Count)
{
    public DateOnly DueFrom(DateOnly opened, WorkingCalendar calendar) => Count switch
    {
        DayCount.WorkingDays => calendar.AddWorkingDays(opened, Days),
        DayCount.CalendarDays => opened.AddDays(Days),
        _ => throw new InvalidOperationException($"Unknown day count {Count}."),
    };
}

/// <summary>One rung of the dispute ladder: who holds the dispute, and for how long before it escalates.</summary>
public sealed record DisputeStage(string Name, int WorkingDays);

/// <summary>
/// A council's local policy: every timescale the memorandum leaves to local agreement, the dispute
/// ladder, when transition planning starts, and extra holidays. The defaults are the SPEC's; an
/// obligation records the <see cref="Version"/> it was computed under.
/// </summary>
/// <param name="Timescales">By obligation kind; the transition assessment is due the day before the 18th birthday and has none.</param>
/// <param name="TransitionStartsAtMonths">Age in months at which a young carer still caring is owed a transition assessment (17 years = 204).</param>
public sealed record LocalPolicy(
    string Version,
    IReadOnlyDictionary<string, Timescale> Timescales,
    IReadOnlyList<DisputeStage> DisputeLadder,
    int InterimLeadWorkingDays,
    int TransitionStartsAtMonths,
    int FallsBetweenServicesWorkingDays,
    IReadOnlyList<DateOnly> ExtraHolidays)
{
    public static LocalPolicy Default { get; } = new(
        "spec-default",
        new Dictionary<string, Timescale>
        {
            [ObligationKinds.RecordChildrenInHousehold] = new(5, DayCount.WorkingDays),
            [ObligationKinds.ReferYoungCarer] = new(5, DayCount.WorkingDays),
            [ObligationKinds.AcknowledgeReferral] = new(1, DayCount.WorkingDays),
            [ObligationKinds.DecideOnReferral] = new(1, DayCount.WorkingDays),
            [ObligationKinds.YoungCarerAssessment] = new(45, DayCount.WorkingDays),
            [ObligationKinds.OfferAdultAssessment] = new(5, DayCount.WorkingDays),
            [ObligationKinds.CompleteAdultAssessment] = new(28, DayCount.CalendarDays),
            [ObligationKinds.ReviewCarePlanRelyingOnChild] = new(20, DayCount.WorkingDays),
            [ObligationKinds.ReviewYoungCarerAssessment] = new(20, DayCount.WorkingDays),
        },
        [
            new("practitioners", 5),
            new("team managers", 5),
            new("heads of service", 5),
            new("directors of adult and children's services", 10),
        ],
        InterimLeadWorkingDays: 1,
        TransitionStartsAtMonths: 17 * 12,
        FallsBetweenServicesWorkingDays: 10,
        ExtraHolidays: []);

    public WorkingCalendar Calendar() => WorkingCalendar.EnglandAndWales(ExtraHolidays);
}

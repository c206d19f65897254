namespace YoungCarers.Domain.Contract.Versions;

/// <summary>
/// <c>adult.needs-assessment.completed.v2</c> as published: each child's caring is nested under
/// <c>caring</c>, and <c>childrenInHousehold</c> is given only when no children are listed (listing
/// them answers it). It is never stored: <see cref="ToCurrent"/> turns it into the current model.
/// </summary>
/// <param name="ChildrenInHousehold">Null when children are listed.</param>
internal sealed record AdultNeedsAssessmentCompletedV2(
    string AssessmentId,
    PersonRef Person,
    DateOnly CompletedOn,
    bool Eligible,
    ChildrenInHouseholdAnswer? ChildrenInHousehold,
    IReadOnlyList<ChildInHouseholdV2> Children,
    bool ParentingResponsibilitiesConsidered)
{
    public const string TypeName = "adult.needs-assessment.completed.v2";

    public AdultNeedsAssessmentCompleted ToCurrent() => new(
        AssessmentId,
        Person,
        CompletedOn,
        Eligible,
        Children.Count > 0 ? ChildrenInHouseholdAnswer.Yes : ChildrenInHousehold ?? ChildrenInHouseholdAnswer.NotRecorded,
        [.. Children.Select(child => new ChildInHousehold(child.Child, child.Caring.Provides, child.Caring.Tasks, child.Caring.HoursPerWeek))],
        ParentingResponsibilitiesConsidered);
}

internal sealed record ChildInHouseholdV2(PersonRef Child, ChildCaringV2 Caring);

internal sealed record ChildCaringV2(CareProvision Provides, IReadOnlyList<string> Tasks, decimal? HoursPerWeek)
{
    /// <summary>Stands in for caring that could not be read; the event is rejected anyway.</summary>
    public static ChildCaringV2 Missing { get; } = new(CareProvision.Unknown, [], null);
}

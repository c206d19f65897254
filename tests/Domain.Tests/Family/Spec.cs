using System.Globalization;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Tests.Family;

/// <summary>Given facts (in stream order), when evaluated at an instant, then obligations and flags.</summary>
internal sealed class Spec
{
    private readonly FamilyFact[] _facts;

    private Spec(FamilyFact[] facts) => _facts = facts;

    public static Spec Given(params object[] payloads) => new([.. payloads.Select((payload, index) => Fact(payload, $"e{index + 1}", index + 1))]);

    /// <summary>Facts made by hand, for a spec that needs their ids (a merge replays another stream's facts with theirs).</summary>
    public static Spec GivenFacts(params FamilyFact[] facts) => new(facts);

    public FamilyState State => FamilyProjection.Replay(_facts);

    public Outcome When(string today, LocalPolicy? policy = null) => When(Noon(today), policy);

    public Outcome When(DateTimeOffset now, LocalPolicy? policy = null)
    {
        policy ??= LocalPolicy.Default;
        var state = FamilyProjection.Replay(_facts);
        var obligations = FamilyProjection.Decide(state, now, policy);
        return new(state, FamilyProjection.Describe(state, now), obligations, FamilyProjection.Flags(state, obligations, now, policy),
            FamilyProjection.Disputes(state, now, policy));
    }

    /// <summary>The instant, not a day: disputes and waivers are timed to the minute.</summary>
    public Outcome At(string instant, LocalPolicy? policy = null) => When(Instant(instant), policy);

    /// <summary>Each payload gets an id from its position, so a spec names the event that must be cited: e1, e2...</summary>
    public static FamilyFact Fact(object payload, string id, long version) => new(
        payload,
        new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero),
        SourceOf(payload),
        id,
        "family-1",
        version);

    public static string SourceOf(object payload) => payload switch
    {
        IFamilyEvent => "urn:young-carers:families",
        PartnerYoungCarerIdentified => "urn:la:barnet:partner:school",
        _ when payload.GetType().Name.StartsWith("Adult", StringComparison.Ordinal) => People.AdultSource,
        _ => People.ChildrenSource,
    };

    public static DateTimeOffset Noon(string day) => new(Day(day).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    public static DateOnly Day(string day) => DateOnly.Parse(day, CultureInfo.InvariantCulture);

    public static DateTimeOffset Instant(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);
}

internal sealed record Outcome(FamilyState State, FamilyView View, IReadOnlyList<Obligation> Obligations, IReadOnlyList<Flag> Flags, IReadOnlyList<Dispute> Disputes)
{
    public Dispute Dispute(string id) => Assert.Single(Disputes, d => d.DisputeId == id);

    public Obligation Single(string kind) => Assert.Single(Obligations, o => o.Kind == kind);

    public void None(string kind) => Assert.DoesNotContain(Obligations, o => o.Kind == kind);

    public Flag Flag(string name) => Assert.Single(Flags, f => f.Name == name);

    public void NoFlag(string name) => Assert.DoesNotContain(Flags, f => f.Name == name);

    public MemberView Member(PersonRef person) => Assert.Single(View.Members, m => m.Member.IsNamedBy(person));
}

/// <summary>The family of the specs: Dawn, who has multiple sclerosis, and her children Maya (13) and Leo (10).</summary>
internal static class People
{
    public const string AdultSource = "urn:la:barnet:adult-social-care:las";
    public const string ChildrenSource = "urn:la:barnet:childrens-social-care:lcs";

    public static readonly PersonRef Dawn = new("LAS", "7781", "9434765919", "Dawn", "Hughes", new DateOnly(1979, 3, 14), "EN5 1AB");
    public static readonly PersonRef DawnInLcs = new("LCS", "A-311", "9434765919", "Dawn", "Hughes-Smith", null, null);
    public static readonly PersonRef Maya = new("LCS", "C-20411", "4010232137", "Maya", "Hughes", new DateOnly(2011, 5, 6), "EN5 1AB");
    public static readonly PersonRef MayaInLas = new("LAS", "9001", null, "Maya", "Hughes", new DateOnly(2011, 5, 6), null);
    public static readonly PersonRef Leo = new("LCS", "C-20412", null, null, null, new DateOnly(2014, 9, 22), null);
    public static readonly PersonRef Sam = new("LAS", "7802", null, "Sam", "Hughes", new DateOnly(2005, 11, 2), null);

    /// <summary>Born on 29 February 2008: 17 on 1 March 2025, 18 on 1 March 2026.</summary>
    public static readonly PersonRef Ellie = new("LCS", "C-18842", "4857773457", "Ellie", "Price", new DateOnly(2008, 2, 29), null);

    public static string KeyOf(PersonRef person) => $"system:{person.System}/{person.Id}";
}

/// <summary>Events with the fields a spec does not care about filled in.</summary>
internal static class Build
{
    public static ChildInHousehold Caring(PersonRef child) => new(child, CareProvision.Yes, ["personal care"], 10m);

    public static ChildInHousehold NotCaring(PersonRef child) => new(child, CareProvision.No, [], null);

    public static AdultNeedsAssessmentCompleted AssessmentCompleted(string id, PersonRef adult, string on, ChildrenInHouseholdAnswer answer, params ChildInHousehold[] children) =>
        new(id, adult, Spec.Day(on), Eligible: true, answer, children, ParentingResponsibilitiesConsidered: true);

    public static AdultNeedsAssessmentStarted AssessmentStarted(string id, PersonRef adult, string on) => new(id, adult, Spec.Day(on));

    public static PartnerYoungCarerIdentified Identified(PersonRef child, string on, params PersonRef[] caredFor) =>
        new(child, caredFor, Spec.Day(on), YoungCarerIdentifiedBy.School);

    public static AdultReferralToChildrensSent ReferredToChildrens(string id, PersonRef child, string on) =>
        new(id, child, People.Dawn, Spec.Day(on), ReferralToChildrensReason.YoungCarer);

    public static ChildrenReferralReceived ReferralReceived(string id, PersonRef child, string on, string? linked = null) =>
        new(id, child, Spec.Day(on), "5A", ["young-carer"], [People.Dawn], linked);

    public static ChildrenReferralDecided ReferralDecided(string id, PersonRef child, string on, ChildrenReferralDecision decision = ChildrenReferralDecision.Assessment) =>
        new(id, child, Spec.Day(on), decision);

    public static ChildrenYoungCarerAssessmentCompleted YoungCarerAssessed(string id, PersonRef child, string on, bool excessive = false) =>
        new(id, child, Spec.Day(on), [People.Dawn], CaringAppropriate: !excessive, excessive, ["education"], SupportPlanned: true);

    public static AdultCarePlanAgreed PlanAgreed(string id, string on, params PersonRef[] childCarers) =>
        new(id, People.Dawn, Spec.Day(on), childCarers.Length > 0, childCarers, null, new("Ann Lee", "Adults East", "adult-social-care"));
}

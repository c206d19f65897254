using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;

namespace YoungCarers.Domain.Family;

/// <summary>An event payload held in the state with the reference that cites it.</summary>
public sealed record Seen<T>(T Event, EventRef Ref);

/// <summary>
/// Something that starts and ends (a referral, an assessment, a plan, an enquiry), keyed by its id.
/// Either half may arrive first: rules read the business dates inside, never the arrival order.
/// </summary>
public sealed record Lifecycle<TStart, TEnd>(Seen<TStart>? Start, Seen<TEnd>? End);

/// <summary>An adult care plan: agreed, reviewed any number of times, ended.</summary>
public sealed record CarePlanRecord(
    Seen<AdultCarePlanAgreed>? Agreed,
    ImmutableArray<Seen<AdultCarePlanReviewed>> Reviews,
    Seen<AdultCarePlanEnded>? Ended);

/// <summary>
/// Everything said about one dispute, in stream order. The raising may be missing while the stream
/// is being rebuilt out of order; such a dispute is not reported until it arrives.
/// </summary>
public sealed record DisputeRecord(
    Seen<DisputeRaised>? Raised,
    ImmutableArray<Seen<DisputeEscalated>> Escalations,
    ImmutableArray<Seen<DisputeInterimLeadAgreed>> InterimLeads,
    ImmutableArray<Seen<DisputeResolved>> Resolutions)
{
    public static DisputeRecord None { get; } = new(null, [], [], []);
}

/// <summary>
/// Everything the family's stream has said, joined by person and keyed by the ids the case
/// systems use. It holds facts only: ages, roles, involvement, obligations and flags are derived at
/// an evaluation instant, because they change with the clock and not only with events. Case records
/// are kept sorted by id (ordinal), never in hash order: .NET randomises string hashing per process,
/// and ties between same-day events must be broken the same way by every process that replays them.
/// </summary>
public sealed record FamilyState
{
    public static FamilyState Empty { get; } = new();

    public ImmutableArray<FamilyMember> Members { get; init; } = [];

    public CaseRecordCollection<Seen<AdultReferralReceived>> AdultReferrals { get; init; } = new();

    public CaseRecordCollection<Lifecycle<AdultNeedsAssessmentStarted, AdultNeedsAssessmentCompleted>> NeedsAssessments { get; init; } = new();

    public ImmutableArray<Seen<AdultCarersAssessmentCompleted>> CarersAssessments { get; init; } = [];

    public ImmutableArray<Seen<AdultTransitionAssessmentOffered>> TransitionOffers { get; init; } = [];

    public ImmutableArray<Seen<AdultTransitionAssessmentCompleted>> TransitionAssessments { get; init; } = [];

    public CaseRecordCollection<CarePlanRecord> CarePlans { get; init; } = new();

    public ImmutableArray<Seen<AdultReferralToChildrensSent>> ReferralsToChildrens { get; init; } = [];

    public CaseRecordCollection<Lifecycle<AdultSafeguardingEnquiryStarted, AdultSafeguardingEnquiryConcluded>> SafeguardingEnquiries { get; init; } = new();

    public ImmutableArray<Seen<AdultCaseClosed>> AdultClosures { get; init; } = [];

    public CaseRecordCollection<Lifecycle<ChildrenReferralReceived, ChildrenReferralDecided>> ChildrenReferrals { get; init; } = new();

    public CaseRecordCollection<Lifecycle<ChildrenYoungCarerAssessmentStarted, ChildrenYoungCarerAssessmentCompleted>> YoungCarerAssessments { get; init; } = new();

    public CaseRecordCollection<Lifecycle<ChildrenCinAssessmentStarted, ChildrenCinAssessmentCompleted>> CinAssessments { get; init; } = new();

    public CaseRecordCollection<Lifecycle<ChildrenCinPlanStarted, ChildrenCinPlanEnded>> CinPlans { get; init; } = new();

    public ImmutableArray<Seen<ChildrenSection47Started>> Section47Enquiries { get; init; } = [];

    public ImmutableArray<Seen<ChildrenReferralToAdultsSent>> ReferralsToAdults { get; init; } = [];

    public ImmutableArray<Seen<ChildrenCaseClosed>> ChildrenClosures { get; init; } = [];

    public ImmutableArray<Seen<PartnerYoungCarerIdentified>> PartnerIdentifications { get; init; } = [];

    /// <summary>Families merged into this one; their facts are replayed into this state by the caller.</summary>
    public ImmutableArray<Seen<FamilyMerged>> Merges { get; init; } = [];

    /// <summary>Set when this family was merged into another: its obligations and flags now live there.</summary>
    public Seen<FamilyAbsorbed>? AbsorbedInto { get; init; }

    public ImmutableArray<Seen<FamilySplit>> Splits { get; init; } = [];

    public Seen<FamilySplitFrom>? SplitFrom { get; init; }

    /// <summary>Disputes between the services about this family (SPEC section 6), by dispute id.</summary>
    public CaseRecordCollection<DisputeRecord> Disputes { get; init; } = new();

    /// <summary>Obligations the integration team set aside, in stream order; matched to obligations as they are decided.</summary>
    public ImmutableArray<Seen<ObligationWaived>> Waivers { get; init; } = [];

    /// <summary>The member a reference names, if they are (still) in this family.</summary>
    public FamilyMember? Find(PersonRef person) => MemberIndex.Of(Members).Find(person);

    /// <summary>The key of the member a reference names, or null when they have left the family.</summary>
    public string? KeyOf(PersonRef person) => Find(person)?.Key;

    /// <summary>
    /// The members with every person of an event joined in: a reference naming nobody adds a member;
    /// one naming several (a shared NHS number links two system records) joins them into the first.
    /// </summary>
    internal ImmutableArray<FamilyMember> Join(IReadOnlyList<PersonRef> people, IReadOnlyCollection<PersonRef> children, DateTimeOffset seenAt)
    {
        var members = Members;
        Span<char> systemBuffer = stackalloc char[FamilyMember.IdentifierBufferLength];
        Span<char> nhsBuffer = stackalloc char[FamilyMember.IdentifierBufferLength];
        for (var i = 0; i < people.Count; i++)
        {
            var person = people[i];
            var asChild = children.Contains(person);
            var system = FamilyMember.SystemIdentifierOf(person, systemBuffer);
            var nhs = person.NhsNumber is { } number ? FamilyMember.NhsIdentifierOf(number, nhsBuffer) : [];

            // Nearly always: a person the family knows by every identifier, seen again. Their member
            // is updated in place of building a member of the person to absorb.
            if (OnlyMemberNaming(members, system, nhs) is var (known, index) && known.Has(system) && (nhs.IsEmpty || known.Has(nhs)))
            {
                var seen = known.SeenAgain(person, asChild, seenAt);
                members = ReferenceEquals(seen, known) ? members : members.SetItem(index, seen);
                continue;
            }

            members = Absorb(members, FamilyMember.From(person, asChild, seenAt));
        }

        return members;
    }

    /// <summary>
    /// The members with a new record of a person: a member of their own, or joined into the member
    /// it shares an identifier with; joining several members into the first when it links them.
    /// </summary>
    private static ImmutableArray<FamilyMember> Absorb(ImmutableArray<FamilyMember> members, FamilyMember incoming)
    {
        ImmutableArray<FamilyMember> matches = [.. members.Where(member => member.SharesIdentifierWith(incoming))];
        if (matches.IsEmpty)
        {
            return members.Add(incoming);
        }

        if (matches.Length == 1)
        {
            return members.Replace(matches[0], matches[0].Absorb(incoming));
        }

        var others = matches.RemoveAt(0);
        var joined = others.Aggregate(matches[0].Absorb(incoming), (sum, next) => sum.Absorb(next));
        return members.RemoveAll(others.Contains).Replace(matches[0], joined);
    }

    /// <summary>The member either identifier names (the NHS one may be empty) and where, when exactly one does.</summary>
    private static (FamilyMember Member, int Index)? OnlyMemberNaming(ImmutableArray<FamilyMember> members, ReadOnlySpan<char> system, ReadOnlySpan<char> nhs)
    {
        // By index: a family has a handful of members, and the list's enumerator rents a stack from a pool each time.
        (FamilyMember, int)? found = null;
        for (var index = 0; index < members.Length; index++)
        {
            var member = members[index];
            if (member.Has(system) || (!nhs.IsEmpty && member.Has(nhs)))
            {
                if (found is not null)
                {
                    return null;
                }

                found = (member, index);
            }
        }

        return found;
    }
}

/// <summary>
/// The members of a family by identifier, built once per member list (lists are immutable, and
/// every rule looks persons up again and again while a family is evaluated). It answers as a
/// search of the list in order would: the first member any of the person's identifiers names.
/// </summary>
internal sealed class MemberIndex
{
    // Keyed by the list's backing array: the list itself is a struct.
    private static readonly ConditionalWeakTable<FamilyMember[], MemberIndex> Indexes = [];

    private readonly ImmutableArray<FamilyMember> _members;
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _positionsByText;

    // The rules ask about the same few references (each event's persons) many times over: each
    // reference is looked up by its identifiers once. Locked, since a state may be evaluated on
    // several threads at once.
    private readonly Dictionary<PersonRef, int> _positionsByReference = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();

    private MemberIndex(ImmutableArray<FamilyMember> members)
    {
        _members = members;
        for (var i = 0; i < members.Length; i++)
        {
            foreach (var identifier in members[i].Identifiers)
            {
                _positions.TryAdd(identifier, i);
            }
        }

        _positionsByText = _positions.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static MemberIndex Of(ImmutableArray<FamilyMember> members) =>
        Indexes.GetValue(ImmutableCollectionsMarshal.AsArray(members)!, static array => new MemberIndex(ImmutableCollectionsMarshal.AsImmutableArray(array)));

    public FamilyMember? Find(PersonRef person)
    {
        ArgumentNullException.ThrowIfNull(person);
        int position;
        lock (_gate)
        {
            if (!_positionsByReference.TryGetValue(person, out position))
            {
                position = PositionOf(person);
                _positionsByReference.Add(person, position);
            }
        }

        return position == int.MaxValue ? null : _members[position];
    }

    private int PositionOf(PersonRef person)
    {
        Span<char> buffer = stackalloc char[FamilyMember.IdentifierBufferLength];
        var position = _positionsByText.TryGetValue(FamilyMember.SystemIdentifierOf(person, buffer), out var found) ? found : int.MaxValue;
        if (person.NhsNumber is { } nhs && _positionsByText.TryGetValue(FamilyMember.NhsIdentifierOf(nhs, buffer), out found))
        {
            position = Math.Min(position, found);
        }

        return position;
    }
}

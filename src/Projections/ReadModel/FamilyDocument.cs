using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Family;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// A family as the read API serves it (the <c>document</c> column of <c>read_model.families</c>):
/// camelCase names, enum values as SPEC-style kebab-case strings, instants in UTC, dates as yyyy-mm-dd.
/// For a family merged into another, only <see cref="FamilyId"/>, <see cref="SurvivorFamilyId"/>
/// and <see cref="StreamVersion"/> are set.
/// </summary>
public sealed record FamilyDocument(
    string FamilyId,
    string? SurvivorFamilyId,
    IReadOnlyList<string> MergedFamilyIds,
    long StreamVersion,
    DateTimeOffset EvaluatedAt,
    DateTimeOffset? NextChangeAt,
    string PolicyVersion,
    IReadOnlyList<MemberDocument> Members,
    IReadOnlyList<InvolvementDocument> OpenInvolvement,
    LeadProfessionalDocument? LeadProfessional,
    IReadOnlyList<ObligationDocument> Obligations,
    IReadOnlyList<FlagDocument> Flags,
    IReadOnlyList<DisputeDocument> Disputes);

public sealed record EventRefDocument(string Source, string EventId);

public sealed record MemberDocument(
    string Key,
    IReadOnlyList<string> Identifiers,
    string? GivenName,
    string? FamilyName,
    DateOnly? BirthDate,
    string? Postcode,
    int? Age,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> CaresFor);

public sealed record InvolvementDocument(string Service, string PersonKey, string Kind, string Id, DateOnly Since, EventRefDocument OpenedBy);

public sealed record LeadProfessionalDocument(string Name, string Team, string Service);

public sealed record ObligationDocument(
    string Id,
    string Kind,
    string OwedBy,
    string PersonKey,
    string Status,
    DateOnly OpenedOn,
    DateOnly DueOn,
    DateTimeOffset Deadline,
    DateOnly? MetOn,
    EventRefDocument OpenedBy,
    EventRefDocument? MetBy,
    ObligationWaiverDocument? Waiver,
    string Basis,
    string PolicyVersion);

/// <summary>Why, by whom and when the integration team set an obligation aside; null unless it is waived.</summary>
/// <param name="WaivedBy">The member of staff who waived it (or the client that asked), not a person in the family.</param>
public sealed record ObligationWaiverDocument(string Reason, string WaivedBy, DateTimeOffset WaivedAt, EventRefDocument WaivedByEvent);

public sealed record DisputeStageDocument(
    int Number,
    string Name,
    DateTimeOffset EnteredAt,
    DateOnly DueOn,
    DateTimeOffset Deadline,
    DateTimeOffset? LeftAt,
    string? Exit,
    EventRefDocument? LeftBy,
    string? Reason,
    bool Overdue);

public sealed record InterimLeadDocument(string Status, DateOnly DueOn, DateTimeOffset Deadline, string? LeadService, DateTimeOffset? AgreedOn, EventRefDocument? AgreedBy);

public sealed record FundingShareDocument(string Service, decimal Percent);

public sealed record DisputeResolutionDocument(
    string LeadService, IReadOnlyList<FundingShareDocument> FundingSplit, DateTimeOffset ResolvedOn, string? Note, string? ResolvedBy, EventRefDocument ResolvedByEvent);

public sealed record DisputeDocument(
    string DisputeId,
    string Status,
    string Subject,
    string RaisedBy,
    IReadOnlyList<string> PersonKeys,
    string Summary,
    DateTimeOffset RaisedOn,
    string RaisedByUser,
    int Stage,
    string StageName,
    DateTimeOffset StageEnteredAt,
    DateOnly StageDueOn,
    DateTimeOffset StageDeadline,
    bool PastDeadline,
    IReadOnlyList<DisputeStageDocument> History,
    InterimLeadDocument InterimLead,
    DisputeResolutionDocument? Resolution,
    string? Overdue,
    IReadOnlyList<EventRefDocument> Events,
    string Basis,
    string PolicyVersion);

public sealed record FlagDocument(
    string Name,
    IReadOnlyList<string> PersonKeys,
    IReadOnlyList<string> Services,
    IReadOnlyList<EventRefDocument> Evidence,
    IReadOnlyList<string> ObligationKinds,
    string Reason,
    string Basis,
    string PolicyVersion);

/// <summary>Maps the domain's evaluation to documents and writes them as JSON.</summary>
public static class FamilyDocuments
{
    public static FamilyDocument Live(
        string familyId,
        long streamVersion,
        DateTimeOffset evaluatedAt,
        DateTimeOffset? nextChangeAt,
        string policyVersion,
        FamilyView view,
        IReadOnlyList<Obligation> obligations,
        IReadOnlyList<Flag> flags,
        IReadOnlyList<Dispute> disputes)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(obligations);
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(disputes);
        return FromCanonical(familyId, streamVersion, evaluatedAt, nextChangeAt, policyVersion, view, Canonical(obligations), Canonical(flags), disputes);
    }

    /// <summary>As <see cref="Live"/>, for obligations and flags already in <see cref="Canonical(IReadOnlyList{Obligation})"/> order.</summary>
    internal static FamilyDocument FromCanonical(
        string familyId,
        long streamVersion,
        DateTimeOffset evaluatedAt,
        DateTimeOffset? nextChangeAt,
        string policyVersion,
        FamilyView view,
        IReadOnlyList<Obligation> obligations,
        IReadOnlyList<Flag> flags,
        IReadOnlyList<Dispute> disputes)
    {
        return new(
            familyId,
            view.SurvivorFamilyId,
            view.MergedFamilyIds,
            streamVersion,
            evaluatedAt.ToUniversalTime(),
            nextChangeAt?.ToUniversalTime(),
            policyVersion,
            [.. view.Members.Select(Member)],
            [.. StableOrder.Sorted(view.OpenInvolvement, CompareInvolvement).Select(Involvement)],
            view.LeadProfessional is { } lead ? new(lead.Name, lead.Team, lead.Service) : null,
            [.. obligations.Select(Obligation)],
            [.. flags.Select(flag => Flag(flag, ServicesOf(flag, obligations, view.OpenInvolvement)))],
            [.. disputes.Select(Dispute)]);
    }

    public static FamilyDocument Absorbed(string familyId, string survivorFamilyId, long streamVersion, DateTimeOffset evaluatedAt, string policyVersion) =>
        new(familyId, survivorFamilyId, [], streamVersion, evaluatedAt.ToUniversalTime(), null, policyVersion, [], [], null, [], [], []);

    /// <summary>
    /// Obligations in a stable order (by due date, then id). The domain's order can follow hash
    /// iteration, which differs between processes; a read model must not, or a rebuild would differ
    /// from the rows the daemon wrote.
    /// </summary>
    public static IReadOnlyList<Obligation> Canonical(IReadOnlyList<Obligation> obligations)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        return StableOrder.Sorted(obligations, CompareObligations);
    }

    /// <summary>Flags in a stable order (by name, persons, reason), their lists sorted too.</summary>
    public static IReadOnlyList<Flag> Canonical(IReadOnlyList<Flag> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var sorted = new List<Flag>(flags.Count);
        foreach (var flag in flags)
        {
            sorted.Add(flag with
            {
                PersonKeys = StableOrder.Sorted(flag.PersonKeys, string.CompareOrdinal),
                Evidence = StableOrder.Sorted(flag.Evidence, CompareEvidence),
                ObligationKinds = StableOrder.Sorted(flag.ObligationKinds, string.CompareOrdinal),
            });
        }

        return StableOrder.Sorted(sorted, CompareFlags);
    }

    private static int CompareObligations(Obligation x, Obligation y)
    {
        var order = x.DueOn.CompareTo(y.DueOn);
        order = order != 0 ? order : string.CompareOrdinal(x.Id, y.Id);
        order = order != 0 ? order : x.Deadline.CompareTo(y.Deadline);
        return order != 0 ? order : x.Status.CompareTo(y.Status);
    }

    private static int CompareInvolvement(Involvement x, Involvement y)
    {
        var order = string.CompareOrdinal(x.Service, y.Service);
        order = order != 0 ? order : string.CompareOrdinal(x.PersonKey, y.PersonKey);
        order = order != 0 ? order : x.Kind.CompareTo(y.Kind);
        order = order != 0 ? order : x.Since.CompareTo(y.Since);
        return order != 0 ? order : string.CompareOrdinal(x.Id, y.Id);
    }

    private static int CompareEvidence(EventRef x, EventRef y)
    {
        var order = string.CompareOrdinal(x.Source, y.Source);
        return order != 0 ? order : string.CompareOrdinal(x.EventId, y.EventId);
    }

    /// <summary>By name, persons, reason, obligation kinds, then evidence (each list already sorted), element by element.</summary>
    private static int CompareFlags(Flag x, Flag y)
    {
        var order = string.CompareOrdinal(x.Name, y.Name);
        order = order != 0 ? order : CompareLists(x.PersonKeys, y.PersonKeys, string.CompareOrdinal);
        order = order != 0 ? order : string.CompareOrdinal(x.Reason, y.Reason);
        order = order != 0 ? order : CompareLists(x.ObligationKinds, y.ObligationKinds, string.CompareOrdinal);
        return order != 0 ? order : CompareLists(x.Evidence, y.Evidence, CompareEvidence);
    }

    private static int CompareLists<T>(IReadOnlyList<T> x, IReadOnlyList<T> y, Comparison<T> compare)
    {
        for (var i = 0; i < x.Count && i < y.Count; i++)
        {
            var order = compare(x[i], y[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return x.Count.CompareTo(y.Count);
    }

    public static string ToJson(FamilyDocument document) => JsonSerializer.Serialize(document, JsonTypeInfo);

    /// <summary>As <see cref="ToJson"/>, in UTF-8, the form the <c>json</c> column is written in.</summary>
    public static byte[] ToUtf8Json(FamilyDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, JsonTypeInfo);

    /// <summary>How a document is written as JSON, for writing one straight into a buffer of one's own.</summary>
    public static JsonTypeInfo<FamilyDocument> JsonTypeInfo => FamilyDocumentJsonContext.Default.FamilyDocument;

    public static FamilyDocument FromJson(string json) => JsonSerializer.Deserialize(json, JsonTypeInfo)!;

    /// <summary>
    /// The services a flag concerns. A young carer falling between services, a referral declined
    /// after the other service closed and an overdue dispute (always between the two services)
    /// concern both by what they are, whatever obligations or involvement they cite: often none,
    /// since the first two are raised because neither service is involved. Any other flag concerns
    /// the services owing the obligations of the kinds it cites about the persons it names, and
    /// those with open involvement with those persons.
    /// </summary>
    public static IReadOnlyList<string> ServicesOf(Flag flag, IReadOnlyList<Obligation> obligations, IReadOnlyList<Involvement> involvement)
    {
        ArgumentNullException.ThrowIfNull(flag);
        ArgumentNullException.ThrowIfNull(obligations);
        ArgumentNullException.ThrowIfNull(involvement);
        if (flag.Name is FlagNames.FallsBetweenServices or FlagNames.ReferralDeclinedAfterOtherClosed or FlagNames.DisputeOverdue)
        {
            return Services.All;
        }

        // A handful of services at most: a list kept without repeats, sorted at the end, rather than a sorted set.
        var services = new List<string>(2);
        for (var i = 0; i < obligations.Count; i++)
        {
            var obligation = obligations[i];
            if (TextLists.ContainsOrdinal(flag.ObligationKinds, obligation.Kind) && (flag.PersonKeys.Count == 0 || TextLists.ContainsOrdinal(flag.PersonKeys, obligation.PersonKey)) && !TextLists.ContainsOrdinal(services, obligation.OwedBy))
            {
                services.Add(obligation.OwedBy);
            }
        }

        for (var i = 0; i < involvement.Count; i++)
        {
            if (TextLists.ContainsOrdinal(flag.PersonKeys, involvement[i].PersonKey) && !TextLists.ContainsOrdinal(services, involvement[i].Service))
            {
                services.Add(involvement[i].Service);
            }
        }

        services.Sort(StringComparer.Ordinal);
        return services;
    }

    public static string Status(ObligationStatus status) => EnumName<ObligationStatus>.Of(status);

    /// <summary>The members the young carers list holds: young carers whose birth date is known.</summary>
    public static List<MemberDocument> YoungCarers(FamilyDocument document)
    {
        var youngCarer = EnumName<FamilyRole>.Of(FamilyRole.YoungCarer);
        var youngCarers = new List<MemberDocument>();
        for (var i = 0; i < document.Members.Count; i++)
        {
            var member = document.Members[i];
            if (member.BirthDate is not null && TextLists.ContainsOrdinal(member.Roles, youngCarer))
            {
                youngCarers.Add(member);
            }
        }

        return youngCarers;
    }

    private static MemberDocument Member(MemberView view)
    {
        var roles = new string[view.Roles.Count];
        for (var i = 0; i < roles.Length; i++)
        {
            roles[i] = EnumName<FamilyRole>.Of(view.Roles[i]);
        }

        // Equal keys are the same text, so an unstable sort orders them as a stable one would.
        var caresFor = new string[view.CaresFor.Count];
        for (var i = 0; i < caresFor.Length; i++)
        {
            caresFor[i] = view.CaresFor[i];
        }

        Array.Sort(caresFor, StringComparer.Ordinal);
        return new(
            view.Member.Key,
            [.. view.Member.Identifiers],
            view.Member.GivenName,
            view.Member.FamilyName,
            view.Member.BirthDate,
            view.Member.Postcode,
            view.Age,
            roles,
            caresFor);
    }

    private static InvolvementDocument Involvement(Involvement involvement) => new(
        involvement.Service, involvement.PersonKey, EnumName<InvolvementKind>.Of(involvement.Kind), involvement.Id, involvement.Since, Ref(involvement.OpenedBy));

    private static ObligationDocument Obligation(Obligation obligation) => new(
        obligation.Id,
        obligation.Kind,
        obligation.OwedBy,
        obligation.PersonKey,
        Status(obligation.Status),
        obligation.OpenedOn,
        obligation.DueOn,
        obligation.Deadline.ToUniversalTime(),
        obligation.MetOn,
        Ref(obligation.OpenedBy),
        obligation.MetBy is { } met ? Ref(met) : null,
        obligation.Waiver is { } waiver ? new(waiver.Reason, waiver.WaivedBy, waiver.WaivedAt.ToUniversalTime(), Ref(waiver.WaivedByEvent)) : null,
        obligation.Basis,
        obligation.PolicyVersion);

    private static FlagDocument Flag(Flag flag, IReadOnlyList<string> services) => new(
        flag.Name, flag.PersonKeys, services, [.. flag.Evidence.Select(Ref)], flag.ObligationKinds, flag.Reason, flag.Basis, flag.PolicyVersion);

    private static DisputeDocument Dispute(Dispute dispute) => new(
        dispute.DisputeId,
        EnumName<DisputeStatus>.Of(dispute.Status),
        EnumName<Domain.Families.DisputeSubject>.Of(dispute.Subject),
        dispute.RaisedBy,
        dispute.PersonKeys,
        dispute.Summary,
        dispute.RaisedOn.ToUniversalTime(),
        dispute.RaisedByUser,
        dispute.Stage,
        dispute.StageName,
        dispute.StageEnteredAt.ToUniversalTime(),
        dispute.StageDueOn,
        dispute.StageDeadline.ToUniversalTime(),
        dispute.PastDeadline,
        [.. dispute.History.Select(stage => new DisputeStageDocument(
            stage.Number,
            stage.Name,
            stage.EnteredAt.ToUniversalTime(),
            stage.DueOn,
            stage.Deadline.ToUniversalTime(),
            stage.LeftAt?.ToUniversalTime(),
            stage.Exit is { } exit ? EnumName<DisputeStageExit>.Of(exit) : null,
            stage.LeftBy is { } leftBy ? Ref(leftBy) : null,
            stage.Reason,
            stage.Overdue))],
        new InterimLeadDocument(
            EnumName<InterimLeadStatus>.Of(dispute.InterimLead.Status),
            dispute.InterimLead.DueOn,
            dispute.InterimLead.Deadline.ToUniversalTime(),
            dispute.InterimLead.LeadService,
            dispute.InterimLead.AgreedOn?.ToUniversalTime(),
            dispute.InterimLead.AgreedBy is { } agreedBy ? Ref(agreedBy) : null),
        dispute.Resolution is { } resolution
            ? new DisputeResolutionDocument(
                resolution.LeadService,
                [.. resolution.FundingSplit.Select(share => new FundingShareDocument(share.Service, share.Percent))],
                resolution.ResolvedOn.ToUniversalTime(),
                resolution.Note,
                resolution.ResolvedBy,
                Ref(resolution.ResolvedByEvent))
            : null,
        dispute.Overdue,
        [.. dispute.Events.Select(Ref)],
        dispute.Basis,
        dispute.PolicyVersion);

    private static EventRefDocument Ref(EventRef reference) => new(reference.Source, reference.EventId);

    /// <summary>Enum values as the SPEC spells them: <c>YoungAdultCarer</c> is <c>young-adult-carer</c>.</summary>
    private static class EnumName<T>
        where T : struct, Enum
    {
        private static readonly FrozenDictionary<T, string> Names = Enum.GetValues<T>().ToFrozenDictionary(value => value, value => Kebab(value.ToString()));

        public static string Of(T value) => Names.TryGetValue(value, out var name) ? name : Kebab(value.ToString());

        private static string Kebab(string name)
        {
            var builder = new StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(name[i]));
            }

            return builder.ToString();
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FamilyDocument))]
internal sealed partial class FamilyDocumentJsonContext : JsonSerializerContext;

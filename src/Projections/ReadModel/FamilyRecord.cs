using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Projections.ReadModel;

/// <summary>Everything the read model holds about one family, ready to write.</summary>
internal sealed record FamilyRecord(
    string FamilyId,
    string? SurvivorId,
    long StreamVersion,
    int FactCount,
    DateTimeOffset? LastRecordedAt,
    string PolicyVersion,
    DateTimeOffset EvaluatedAt,
    DateTimeOffset? NextChangeAt,
    string DocumentJson,
    IReadOnlyList<Obligation> Obligations,
    IReadOnlyList<(Flag Flag, IReadOnlyList<string> Services)> Flags,
    IReadOnlyList<DisputeDocument> Disputes);

/// <summary>Replays a family's facts and evaluates it at an instant under a policy.</summary>
internal static class FamilyEvaluator
{
    public static FamilyRecord Evaluate(string familyId, long streamVersion, List<StoredFact> stored, DateTimeOffset now, LocalPolicy policy)
    {
        var facts = FamilyFacts.Order(familyId, stored);
        var state = FamilyProjection.Replay(facts);
        var evaluation = FamilyProjection.Evaluate(state, now, policy);
        var flags = FamilyDocuments.Canonical(evaluation.Flags);
        var obligations = FamilyDocuments.Canonical(evaluation.Obligations);
        var next = evaluation.NextChange;
        var document = FamilyDocuments.FromCanonical(familyId, streamVersion, now, next, policy.Version, evaluation.View, obligations, flags, evaluation.Disputes);
        DateTimeOffset? lastRecorded = stored.Count == 0 ? null : stored.Max(fact => fact.RecordedAt);
        return new(
            familyId,
            null,
            streamVersion,
            facts.Count,
            lastRecorded,
            policy.Version,
            now,
            next,
            FamilyDocuments.ToJson(document),
            obligations,
            [.. document.Flags.Select((flag, i) => (flags[i], flag.Services))],
            document.Disputes);
    }

    public static FamilyRecord Absorbed(string familyId, string survivorId, long streamVersion, DateTimeOffset now, LocalPolicy policy) => new(
        familyId,
        survivorId,
        streamVersion,
        0,
        null,
        policy.Version,
        now,
        null,
        FamilyDocuments.ToJson(FamilyDocuments.Absorbed(familyId, survivorId, streamVersion, now, policy.Version)),
        [],
        [],
        []);
}

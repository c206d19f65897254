using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Projections.ReadModel;

/// <summary>Everything the read model holds about one family, ready to write.</summary>
/// <param name="Document">The family's document, written as JSON into the <c>document</c> column.</param>
/// <param name="YoungCarers">The members who are young carers and whose birth date is known (the young carers list's rows).</param>
public sealed record FamilyRecord(
    string FamilyId,
    string? SurvivorId,
    long StreamVersion,
    int FactCount,
    DateTimeOffset? LastRecordedAt,
    string PolicyVersion,
    DateTimeOffset EvaluatedAt,
    DateTimeOffset? NextChangeAt,
    FamilyDocument Document,
    IReadOnlyList<Obligation> Obligations,
    IReadOnlyList<(Flag Flag, IReadOnlyList<string> Services)> Flags,
    IReadOnlyList<DisputeDocument> Disputes,
    IReadOnlyList<MemberDocument> YoungCarers);

/// <summary>A family's state folded from its facts, how many it replayed and when the last of them was recorded.</summary>
internal sealed record ReplayedFamily(FamilyState State, int FactCount, DateTimeOffset? LastRecordedAt);

/// <summary>Replays a family's facts and evaluates it at an instant under a policy.</summary>
internal static class FamilyEvaluator
{
    public static FamilyRecord Evaluate(string familyId, long streamVersion, List<StoredFact> stored, DateTimeOffset now, LocalPolicy policy) =>
        Evaluate(familyId, streamVersion, Replay(familyId, stored), now, policy);

    /// <summary>A family's facts folded into its state, with what its row says about them.</summary>
    public static ReplayedFamily Replay(string familyId, List<StoredFact> stored)
    {
        var facts = FamilyFacts.Order(familyId, stored);
        DateTimeOffset? lastRecorded = stored.Count == 0 ? null : stored.Max(fact => fact.RecordedAt);
        return new(FamilyProjection.Replay(facts), facts.Count, lastRecorded);
    }

    /// <summary>
    /// <paramref name="replayed"/> with facts appended to its (single) stream after those it holds,
    /// folded in stream order, as replaying the whole stream would.
    /// </summary>
    public static ReplayedFamily Append(ReplayedFamily replayed, string familyId, List<StoredFact> appended)
    {
        if (appended.Count == 0)
        {
            return replayed;
        }

        var facts = FamilyFacts.Order(familyId, appended);
        var state = replayed.State;
        foreach (var fact in facts)
        {
            state = FamilyProjection.Evolve(state, fact);
        }

        var lastRecorded = appended.Max(fact => fact.RecordedAt);
        return new(state, replayed.FactCount + facts.Count, replayed.LastRecordedAt is { } before && before > lastRecorded ? before : lastRecorded);
    }

    public static FamilyRecord Evaluate(string familyId, long streamVersion, ReplayedFamily replayed, DateTimeOffset now, LocalPolicy policy) =>
        Record(familyId, streamVersion, replayed, now, policy, FamilyProjection.Evaluate(replayed.State, now, policy));

    /// <summary>The record of a family evaluated at <paramref name="now"/>: its document, and its rows in canonical order.</summary>
    public static FamilyRecord Record(string familyId, long streamVersion, ReplayedFamily replayed, DateTimeOffset now, LocalPolicy policy, FamilyEvaluation evaluation)
    {
        var flags = FamilyDocuments.Canonical(evaluation.Flags);
        var obligations = FamilyDocuments.Canonical(evaluation.Obligations);
        var next = evaluation.NextChange;
        var document = FamilyDocuments.FromCanonical(familyId, streamVersion, now, next, policy.Version, evaluation.View, obligations, flags, evaluation.Disputes);
        return new(
            familyId,
            null,
            streamVersion,
            replayed.FactCount,
            replayed.LastRecordedAt,
            policy.Version,
            now,
            next,
            document,
            obligations,
            [.. document.Flags.Select((flag, i) => (flags[i], flag.Services))],
            document.Disputes,
            FamilyDocuments.YoungCarers(document));
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
        FamilyDocuments.Absorbed(familyId, survivorId, streamVersion, now, policy.Version),
        [],
        [],
        [],
        []);
}

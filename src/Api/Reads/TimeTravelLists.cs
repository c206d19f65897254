using System.Globalization;
using YoungCarers.Domain.Policy;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.TimeTravel;

namespace YoungCarers.Api.Reads;

/// <summary>The instants a list page asked about the past describes (SPEC section 8: asOf, knownAt).</summary>
internal readonly record struct ListInstants(DateTimeOffset AsOf, DateTimeOffset KnownAt)
{
    /// <summary>
    /// What a list request asks for: the live read model (null instants), or the families evaluated at
    /// instants. A first page asked with asOf or knownAt pins the one not given to now, and its cursor
    /// carries both, so that every later page describes the same instants (late events included or not
    /// alike). <paramref name="key"/> is the cursor's sort key, null on a first page.
    /// </summary>
    /// <returns>Null, or the problem with the request's instants or cursor.</returns>
    public static IResult? Resolve(
        DateTimeOffset? asOf, DateTimeOffset? knownAt, string? cursor, int keyParts, DateTimeOffset now, out ListInstants? instants, out string[]? key)
    {
        instants = Of(asOf, knownAt, now);
        key = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        if (ReadPaging.Decode(cursor, keyParts) is { } live)
        {
            key = live;
            return instants is null
                ? null
                : ReadProblems.BadRequest("Invalid cursor", "This cursor is from a live page: leave out asOf and knownAt to follow it.", "cursor");
        }

        if (ReadPaging.Decode(cursor, keyParts + 2) is not [var asOfTicks, var knownAtTicks, ..] parts
            || !TryInstant(asOfTicks, out var pinnedAsOf)
            || !TryInstant(knownAtTicks, out var pinnedKnownAt))
        {
            return ReadProblems.InvalidCursor();
        }

        var pinned = new ListInstants(pinnedAsOf, pinnedKnownAt);
        if ((asOf is { } a && a.ToUniversalTime() != pinned.AsOf) || (knownAt is { } k && k.ToUniversalTime() != pinned.KnownAt))
        {
            return ReadProblems.BadRequest(
                "Invalid cursor", "This cursor continues pages asked about other instants: pass the same asOf and knownAt, or leave them out.", "cursor");
        }

        (instants, key) = (pinned, parts[2..]);
        return null;
    }

    /// <summary>The instants asked about, the one not given taken as now; null when neither is given (the live read model).</summary>
    public static ListInstants? Of(DateTimeOffset? asOf, DateTimeOffset? knownAt, DateTimeOffset now) =>
        asOf is null && knownAt is null ? null : new ListInstants((asOf ?? now).ToUniversalTime(), (knownAt ?? now).ToUniversalTime());

    /// <summary>The next page's cursor: these instants, then the sort key of the page's last item.</summary>
    public string Cursor(params string[] key) =>
        ReadPaging.Encode([Ticks(AsOf), Ticks(KnownAt), .. key]);

    private static string Ticks(DateTimeOffset instant) => instant.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static bool TryInstant(string ticks, out DateTimeOffset instant)
    {
        instant = default;
        if (!long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        instant = new DateTimeOffset(value, TimeSpan.Zero);
        return true;
    }
}

/// <summary>
/// Lists asked about an instant: every family is evaluated from the event store at that instant
/// (<see cref="FamilyTimeMachine.EveryFamilyAtAsync"/>), as <c>GET /families/{id}</c> evaluates one,
/// and a page is the first items after the cursor in the list's order. That reads the whole store for
/// each page, so one such evaluation runs at a time and the others wait their turn, leaving the
/// processors to the live reads.
/// </summary>
internal sealed class TimeTravelLists(FamilyTimeMachine timeMachine) : IDisposable
{
    private readonly SemaphoreSlim _evaluating = new(1, 1);

    /// <summary>
    /// A page of at most <paramref name="take"/> items after the cursor, as <see cref="FirstAsync"/> finds
    /// them, saying which instants it describes; its next cursor carries the instants and the last
    /// item's sort key (<paramref name="keyOf"/>).
    /// </summary>
    public async Task<Page<T>> PageAsync<T>(
        ListInstants instants,
        Func<FamilyRecord, IEnumerable<T>> itemsOf,
        Func<T, bool> afterCursor,
        IComparer<T> order,
        int take,
        Func<T, string[]> keyOf,
        CancellationToken cancellationToken)
    {
        var items = await FirstAsync(instants, itemsOf, afterCursor, order, take + 1, cancellationToken);
        return ReadPaging.PageOf(items, take, last => instants.Cursor(keyOf(last))) with { AsOf = instants.AsOf, KnownAt = instants.KnownAt };
    }

    /// <summary>
    /// The first <paramref name="count"/> items, in <paramref name="order"/>, of those the families
    /// evaluated at <paramref name="instants"/> give (<paramref name="itemsOf"/>) that come after the cursor.
    /// </summary>
    public async Task<List<T>> FirstAsync<T>(
        ListInstants instants, Func<FamilyRecord, IEnumerable<T>> itemsOf, Func<T, bool> afterCursor, IComparer<T> order, int count, CancellationToken cancellationToken)
    {
        // The page's items so far, the last in order first out: a page's worth held, whatever the store's size.
        var kept = new PriorityQueue<T, T>(count + 1, Comparer<T>.Create((x, y) => order.Compare(y, x)));
        await EachFamilyAsync(instants, family =>
        {
            foreach (var item in itemsOf(family))
            {
                if (!afterCursor(item))
                {
                    continue;
                }

                if (kept.Count < count)
                {
                    kept.Enqueue(item, item);
                }
                else if (order.Compare(item, kept.Peek()) < 0)
                {
                    kept.EnqueueDequeue(item, item);
                }
            }
        }, cancellationToken);

        var page = new List<T>(kept.Count);
        while (kept.TryDequeue(out var item, out _))
        {
            page.Add(item);
        }

        page.Reverse();
        return page;
    }

    /// <summary>Hands each family evaluated at <paramref name="instants"/> to <paramref name="visit"/>, once it is this request's turn.</summary>
    public async Task EachFamilyAsync(ListInstants instants, Action<FamilyRecord> visit, CancellationToken cancellationToken)
    {
        await _evaluating.WaitAsync(cancellationToken);
        try
        {
            await foreach (var family in timeMachine.EveryFamilyAtAsync(instants.AsOf, instants.KnownAt, cancellationToken))
            {
                visit(family);
            }
        }
        finally
        {
            _evaluating.Release();
        }
    }

    public void Dispose() => _evaluating.Dispose();
}

/// <summary>
/// A family record's list items, as the read model's tables hold them (see the projection's rows) and
/// the live lists filter them, and the lists' orders: families by id, the rest by their dates, then family
/// and their own key, texts compared ordinally.
/// </summary>
internal static class PastListItems
{
    public static readonly IComparer<FamilySummary> FamilyOrder = Comparer<FamilySummary>.Create((x, y) => string.CompareOrdinal(x.FamilyId, y.FamilyId));

    public static readonly IComparer<ObligationSummary> ObligationOrder =
        Comparer<ObligationSummary>.Create((x, y) => CompareObligation(x, y.DueOn, y.FamilyId, y.ObligationRef));

    public static readonly IComparer<DisputeSummary> DisputeOrder =
        Comparer<DisputeSummary>.Create((x, y) => CompareDispute(x, y.StageDeadline, y.FamilyId, y.DisputeId));

    public static readonly IComparer<YoungCarerSummary> YoungCarerOrder =
        Comparer<YoungCarerSummary>.Create((x, y) => CompareYoungCarer(x, y.TurnsEighteenOn, y.FamilyId, y.PersonKey));

    public static int CompareObligation(ObligationSummary obligation, DateOnly dueOn, string familyId, string obligationRef) =>
        Then(obligation.DueOn.CompareTo(dueOn), obligation.FamilyId, familyId, obligation.ObligationRef, obligationRef);

    public static int CompareDispute(DisputeSummary dispute, DateTimeOffset stageDeadline, string familyId, string disputeId) =>
        Then(dispute.StageDeadline.UtcTicks.CompareTo(stageDeadline.UtcTicks), dispute.FamilyId, familyId, dispute.DisputeId, disputeId);

    public static int CompareYoungCarer(YoungCarerSummary carer, DateOnly turnsEighteenOn, string familyId, string personKey) =>
        Then(carer.TurnsEighteenOn.CompareTo(turnsEighteenOn), carer.FamilyId, familyId, carer.PersonKey, personKey);

    /// <summary>The family, if it has flags matching the filter (those flags, in the family's order).</summary>
    public static IEnumerable<FamilySummary> Families(FamilyRecord family, string? flag, string? service)
    {
        var flags = family.Flags
            .Where(f => (flag is null || f.Flag.Name == flag) && (service is null || f.Services.Contains(service)))
            .Select(f => new FamilyFlagSummary(f.Flag.Name, f.Services))
            .ToList();
        return flags.Count == 0 ? [] : [new FamilySummary(family.FamilyId, flags, family.StreamVersion, family.EvaluatedAt.ToUniversalTime())];
    }

    /// <summary>The family's obligations matching the filter; of two with one id, the first stands (as in the read model).</summary>
    public static IEnumerable<ObligationSummary> Obligations(FamilyRecord family, string? status, string? owedBy, DateOnly? dueBefore) =>
        family.Obligations
            .DistinctBy(obligation => obligation.Id, StringComparer.Ordinal)
            .Select(obligation => (Obligation: obligation, Status: FamilyDocuments.Status(obligation.Status)))
            .Where(o => (status is null || o.Status == status) && (owedBy is null || o.Obligation.OwedBy == owedBy) && (dueBefore is null || o.Obligation.DueOn < dueBefore))
            .Select(o => new ObligationSummary(
                family.FamilyId, ObligationRefs.Of(family.FamilyId, o.Obligation.Id), o.Obligation.Kind, o.Obligation.OwedBy, o.Status,
                o.Obligation.OpenedOn, o.Obligation.DueOn, o.Obligation.Deadline, o.Obligation.MetOn, o.Obligation.Basis, o.Obligation.PolicyVersion));

    public static IEnumerable<DisputeSummary> Disputes(FamilyRecord family, string? status) =>
        family.Disputes
            .Where(dispute => status is null || dispute.Status == status)
            .Select(dispute => new DisputeSummary(
                family.FamilyId, dispute.DisputeId, dispute.Status, dispute.Subject, dispute.RaisedBy, dispute.RaisedOn.ToUniversalTime(), dispute.Stage, dispute.StageName,
                dispute.StageDeadline.ToUniversalTime(), dispute.PastDeadline, dispute.InterimLead.Status, dispute.Overdue, dispute.PolicyVersion));

    /// <summary>The family's young carers not yet 18 on <paramref name="today"/> who turn 18 before <paramref name="before"/>, with their latest transition assessment.</summary>
    public static IEnumerable<YoungCarerSummary> YoungCarers(FamilyRecord family, DateOnly today, DateOnly before)
    {
        foreach (var carer in family.YoungCarers)
        {
            // As the read model stores it: 29 February + 18 years is 28 February.
            var turns18 = carer.BirthDate!.Value.AddYears(18);
            if (turns18 <= today || turns18 >= before)
            {
                continue;
            }

            var transition = family.Obligations
                .Where(obligation => obligation.Kind == ObligationKinds.TransitionAssessment && obligation.PersonKey == carer.Key)
                .OrderByDescending(obligation => obligation.OpenedOn)
                .ThenBy(obligation => obligation.Id, StringComparer.Ordinal)
                .Select(obligation => new TransitionAssessmentSummary(FamilyDocuments.Status(obligation.Status), obligation.DueOn, obligation.MetOn))
                .FirstOrDefault();
            yield return new YoungCarerSummary(
                family.FamilyId, carer.Key, carer.Identifiers, carer.GivenName, carer.FamilyName, carer.BirthDate.Value, carer.Age, turns18, carer.CaresFor, transition);
        }
    }

    /// <summary>The family, if one of its members is named by <paramref name="identifier"/>.</summary>
    public static IEnumerable<string> FamilyNaming(FamilyRecord family, string identifier) =>
        family.Document.Members.Any(member => member.Identifiers.Contains(identifier, StringComparer.Ordinal)) ? [family.FamilyId] : [];

    private static int Then(int first, string family, string otherFamily, string key, string otherKey)
    {
        if (first != 0)
        {
            return first;
        }

        var byFamily = string.CompareOrdinal(family, otherFamily);
        return byFamily != 0 ? byFamily : string.CompareOrdinal(key, otherKey);
    }
}

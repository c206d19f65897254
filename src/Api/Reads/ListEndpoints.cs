using System.ComponentModel;
using System.Globalization;
using Npgsql;
using YoungCarers.Api.Audit;
using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Api.Reads.ReadStore;

namespace YoungCarers.Api.Reads;

public sealed record FamilyFlagSummary(string Name, IReadOnlyList<string> Services);

/// <summary>A family with the flags that matched the filter.</summary>
public sealed record FamilySummary(string FamilyId, IReadOnlyList<FamilyFlagSummary> Flags, long StreamVersion, DateTimeOffset EvaluatedAt);

/// <summary>
/// An obligation across families, with nothing that identifies a person: the person it is about is
/// not named, and <see cref="ObligationRef"/> is an opaque hash (the obligation's own id embeds a
/// case-system identifier).
/// </summary>
public sealed record ObligationSummary(
    string FamilyId, string ObligationRef, string Kind, string OwedBy, string Status, DateOnly OpenedOn, DateOnly DueOn, DateTimeOffset Deadline, DateOnly? MetOn, string Basis, string PolicyVersion);

/// <summary>A dispute between the services: its stage and timers (no persons and no free-text summary).</summary>
public sealed record DisputeSummary(
    string FamilyId, string DisputeId, string Status, string Subject, string RaisedBy, DateTimeOffset RaisedOn, int Stage, string StageName,
    DateTimeOffset StageDeadline, bool PastDeadline, string InterimLeadStatus, string? Overdue, string PolicyVersion);

/// <param name="FamilyId">The live family the person is in now.</param>
/// <param name="IndexedFamilyId">The family the person index recorded; differs when that family was merged into <see cref="FamilyId"/>.</param>
public sealed record PersonFamily(string FamilyId, string IndexedFamilyId, bool AnsweredBySurvivor)
{
    /// <summary>For an answer about an instant (asOf): the instant; <see cref="FamilyId"/> is then the family the person was in, and <see cref="IndexedFamilyId"/> the same.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Only events the service had recorded by this instant counted; null for the live answer.</summary>
    public DateTimeOffset? KnownAt { get; init; }
}

public sealed record TransitionAssessmentSummary(string Status, DateOnly DueOn, DateOnly? MetOn);

/// <summary>A young carer approaching 18, with the transition assessment owed to them if one is open or was met.</summary>
public sealed record YoungCarerSummary(
    string FamilyId, string PersonKey, IReadOnlyList<string> Identifiers, string? GivenName, string? FamilyName, DateOnly BirthDate, int? Age,
    DateOnly TurnsEighteenOn, IReadOnlyList<string> CaresFor, TransitionAssessmentSummary? TransitionAssessment);

/// <summary>The list endpoints of the read API, over the live read model.</summary>
internal static class ListEndpoints
{
    public const string AsOfDescription =
        "Evaluate every family as it stood at this instant (events that happened by then, the clock set to then) rather than read the live list; "
        + "this evaluates the whole store for each page. Later pages take it from the cursor.";

    public const string KnownAtDescription =
        "Count only events the service had recorded by this instant (what did the service show then?); as for asOf, the whole store is evaluated. "
        + "Later pages take it from the cursor.";

    public static readonly string[] Flags =
    [
        FlagNames.FallsBetweenServices, FlagNames.ReferralDeclinedAfterOtherClosed, FlagNames.PackageReliesOnYoungCarer,
        FlagNames.TurnedEighteenWithoutTransitionAssessment, FlagNames.DisputeOverdue, FlagNames.ObligationOverdue, FlagNames.SafeguardingOpen,
    ];

    public static readonly string[] ObligationStatuses = ["open", "met", "overdue", "waived"];
    public static readonly string[] DisputeStatuses = ["open", "resolved"];

    public static async Task<IResult> ListFamiliesAsync(
        HttpContext context,
        ReadStore store,
        AccessAudit audit,
        [Description("A flag name (SPEC section 7), e.g. falls-between-services.")] string? flag,
        [Description("adult-social-care or childrens-social-care: only flags concerning that service.")] string? service,
        [Description(AsOfDescription)] DateTimeOffset? asOf,
        [Description(KnownAtDescription)] DateTimeOffset? knownAt,
        [Description("The nextCursor of the previous page.")] string? cursor,
        [Description("Families per page: default 50, at most 200.")] int? limit,
        TimeTravelLists pastLists,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (flag is null && service is null)
        {
            return ReadProblems.BadRequest("Filter required", "Give flag, service or both.", "flag");
        }

        if (flag is not null && !Flags.Contains(flag))
        {
            return ReadProblems.OneOf("flag", Flags);
        }

        if (service is not null && !Services.All.Contains(service))
        {
            return ReadProblems.OneOf("service", Services.All);
        }

        if (ListInstants.Resolve(asOf, knownAt, cursor, 1, clock.GetUtcNow(), out var instants, out var afterKey) is { } problem)
        {
            return problem;
        }

        var after = afterKey?[0];
        var take = ReadPaging.Limit(limit);
        if (instants is { } at)
        {
            var pastPage = await pastLists.PageAsync(
                at,
                family => PastListItems.Families(family, flag, service),
                summary => after is null || string.CompareOrdinal(summary.FamilyId, after) > 0,
                PastListItems.FamilyOrder,
                take,
                summary => [summary.FamilyId],
                cancellationToken);
            await audit.RecordAsync(context, pastPage.Items.Select(family => family.FamilyId), cancellationToken);
            return JsonBytesResult.Ok(context, pastPage);
        }

        await using var command = store.DataSource.CreateCommand($"""
            WITH page AS (
                SELECT DISTINCT fl.family_id FROM {Schema}.flags fl
                WHERE (@flag::text IS NULL OR fl.flag = @flag::text)
                  AND (@service::text IS NULL OR fl.services @> ARRAY[@service::text])
                  AND (@after::text IS NULL OR fl.family_id > @after::text)
                ORDER BY fl.family_id
                LIMIT @take
            )
            SELECT fl.family_id, fl.flag, fl.services, f.stream_version, f.evaluated_at
            FROM page JOIN {Schema}.flags fl ON fl.family_id = page.family_id JOIN {Schema}.families f ON f.family_id = page.family_id
            WHERE (@flag::text IS NULL OR fl.flag = @flag::text)
              AND (@service::text IS NULL OR fl.services @> ARRAY[@service::text])
            ORDER BY fl.family_id, fl.ordinal
            """);
        command.Parameters.Add(Text("flag", flag));
        command.Parameters.Add(Text("service", service));
        command.Parameters.Add(Text("after", after));
        command.Parameters.AddWithValue("take", take + 1);
        var families = new List<FamilySummary>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var familyId = reader.GetString(0);
                var summary = new FamilyFlagSummary(reader.GetString(1), reader.GetFieldValue<string[]>(2));
                if (families.Count > 0 && families[^1].FamilyId == familyId)
                {
                    ((List<FamilyFlagSummary>)families[^1].Flags).Add(summary);
                }
                else
                {
                    families.Add(new FamilySummary(familyId, new List<FamilyFlagSummary> { summary }, reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4).ToUniversalTime()));
                }
            }
        }

        var page = ReadPaging.PageOf(families, take, last => ReadPaging.Encode(last.FamilyId));
        await audit.RecordAsync(context, page.Items.Select(family => family.FamilyId), cancellationToken);
        return JsonBytesResult.Ok(context, page);
    }

    public static async Task<IResult> ListObligationsAsync(
        HttpContext context,
        AccessAudit audit,
        ObligationPageJson pageJson,
        [Description("open, met, overdue or waived.")] string? status,
        [Description("adult-social-care or childrens-social-care.")] string? owedBy,
        [Description("Only obligations due before this date (yyyy-mm-dd).")] DateOnly? dueBefore,
        [Description(AsOfDescription)] DateTimeOffset? asOf,
        [Description(KnownAtDescription)] DateTimeOffset? knownAt,
        [Description("The nextCursor of the previous page.")] string? cursor,
        [Description("Obligations per page: default 50, at most 200.")] int? limit,
        TimeTravelLists pastLists,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (status is not null && !ObligationStatuses.Contains(status))
        {
            return ReadProblems.OneOf("status", ObligationStatuses);
        }

        if (owedBy is not null && !Services.All.Contains(owedBy))
        {
            return ReadProblems.OneOf("owedBy", Services.All);
        }

        if (ListInstants.Resolve(asOf, knownAt, cursor, 3, clock.GetUtcNow(), out var instants, out var after) is { } problem)
        {
            return problem;
        }

        var afterDue = default(DateOnly);
        if (after is not null && !ReadPaging.TryParseDate(after[0], out afterDue))
        {
            return ReadProblems.InvalidCursor();
        }

        var take = ReadPaging.Limit(limit);
        if (instants is { } at)
        {
            var pastPage = await pastLists.PageAsync(
                at,
                family => PastListItems.Obligations(family, status, owedBy, dueBefore),
                obligation => after is null || PastListItems.CompareObligation(obligation, afterDue, after[1], after[2]) > 0,
                PastListItems.ObligationOrder,
                take,
                ObligationKey,
                cancellationToken);
            await audit.RecordAsync(context, pastPage.Items.Select(obligation => obligation.FamilyId), cancellationToken);
            return pageJson.Result(pastPage);
        }

        // Only the given filters are in the text: with "@x IS NULL OR ..." the prepared statement's
        // generic plan cannot drop the unused ones and costs PostgreSQL more than planning afresh.
        // The status, the service (both checked against their closed lists above) and the page size
        // are written into the text too: PostgreSQL re-plans a statement on every execution while
        // its generic plan, costed for an average status and an unknown limit, looks dearer than
        // planning afresh, whereas a first page's statement then has no parameters and its plan is
        // made once per connection.
        var filters = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (status is not null)
        {
            filters.Add($"o.status = {Literal(status, ObligationStatuses)}");
        }

        if (owedBy is not null)
        {
            filters.Add($"o.owed_by = {Literal(owedBy, Services.All)}");
        }

        if (dueBefore is not null)
        {
            filters.Add("o.due_on < @due_before");
            parameters.Add(Date("due_before", dueBefore));
        }

        if (after is not null)
        {
            filters.Add("(o.due_on, o.family_id, o.ref) > (@after_due, @after_family, @after_ref)");
            parameters.Add(Date("after_due", afterDue));
            parameters.Add(Text("after_family", after[1]));
            parameters.Add(Text("after_ref", after[2]));
        }

        // Within a family and due date, obligations page by their opaque ref (stored and indexed), so the cursor names no one.
        var items = await audit.ReadPageAsync(
            context,
            new AuditedRead<ObligationSummary>(
                $"""
                SELECT o.family_id, o.ref, o.kind, o.owed_by, o.status, o.opened_on, o.due_on, o.deadline, o.met_on, o.basis, o.policy_version
                FROM {Schema}.obligations o
                {(filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters))}
                ORDER BY o.due_on, o.family_id, o.ref
                LIMIT {take + 1}
                """,
                () => parameters.Select(parameter => parameter.Clone()),
                take,
                row => ReadObligation(row, pageJson.Texts),
                obligation => obligation.FamilyId),
            cancellationToken);
        var page = ReadPaging.PageOf(items, take, last => ReadPaging.Encode(ObligationKey(last)));
        return pageJson.Result(page);
    }

    private static ObligationSummary ReadObligation(NpgsqlDataReader row, RepeatedTexts texts) => new(
        row.GetString(0), row.GetString(1), texts.Read(row, 2), texts.Read(row, 3), texts.Read(row, 4),
        row.GetFieldValue<DateOnly>(5), row.GetFieldValue<DateOnly>(6), row.GetFieldValue<DateTimeOffset>(7),
        row.IsDBNull(8) ? null : row.GetFieldValue<DateOnly>(8), texts.Read(row, 9), texts.Read(row, 10));

    // Each list's sort key, as its cursor carries it after the instants a past page describes.
    private static string[] ObligationKey(ObligationSummary obligation) =>
        [obligation.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), obligation.FamilyId, obligation.ObligationRef];

    private static string[] DisputeKey(DisputeSummary dispute) =>
        [dispute.StageDeadline.UtcTicks.ToString(CultureInfo.InvariantCulture), dispute.FamilyId, dispute.DisputeId];

    private static string[] YoungCarerKey(YoungCarerSummary carer) =>
        [carer.TurnsEighteenOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), carer.FamilyId, carer.PersonKey];

    /// <summary>
    /// One of a closed list's own strings as an SQL literal: the text written into a statement is
    /// always the list's, never the caller's, and none of the lists' strings holds a quote.
    /// </summary>
    internal static string Literal(string value, IReadOnlyList<string> allowed) =>
        allowed.FirstOrDefault(known => known == value) is { } known
            ? $"'{known}'"
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Not one of the values this filter allows.");

    public static async Task<IResult> ListDisputesAsync(
        HttpContext context,
        ReadStore store,
        AccessAudit audit,
        [Description("open or resolved; both when not given.")] string? status,
        [Description(AsOfDescription)] DateTimeOffset? asOf,
        [Description(KnownAtDescription)] DateTimeOffset? knownAt,
        [Description("The nextCursor of the previous page.")] string? cursor,
        [Description("Disputes per page: default 50, at most 200.")] int? limit,
        TimeTravelLists pastLists,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (status is not null && !DisputeStatuses.Contains(status))
        {
            return ReadProblems.OneOf("status", DisputeStatuses);
        }

        if (ListInstants.Resolve(asOf, knownAt, cursor, 3, clock.GetUtcNow(), out var instants, out var after) is { } problem)
        {
            return problem;
        }

        DateTimeOffset? afterDeadline = null;
        if (after is not null)
        {
            if (!long.TryParse(after[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return ReadProblems.InvalidCursor();
            }

            afterDeadline = new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        var take = ReadPaging.Limit(limit);
        if (instants is { } at)
        {
            var pastPage = await pastLists.PageAsync(
                at,
                family => PastListItems.Disputes(family, status),
                dispute => after is null || PastListItems.CompareDispute(dispute, afterDeadline!.Value, after[1], after[2]) > 0,
                PastListItems.DisputeOrder,
                take,
                DisputeKey,
                cancellationToken);
            await audit.RecordAsync(context, pastPage.Items.Select(dispute => dispute.FamilyId), cancellationToken);
            return JsonBytesResult.Ok(context, pastPage);
        }

        await using var command = store.DataSource.CreateCommand($"""
            SELECT family_id, dispute_id, status, subject, raised_by, raised_on, stage, stage_name, stage_deadline, past_deadline, interim_lead_status, overdue, policy_version
            FROM {Schema}.disputes
            WHERE (@status::text IS NULL OR status = @status::text)
              AND (@after_deadline::timestamptz IS NULL OR (stage_deadline, family_id, dispute_id) > (@after_deadline::timestamptz, @after_family::text, @after_dispute::text))
            ORDER BY stage_deadline, family_id, dispute_id
            LIMIT @take
            """);
        command.Parameters.Add(Text("status", status));
        command.Parameters.Add(Instant("after_deadline", afterDeadline));
        command.Parameters.Add(Text("after_family", after?[1]));
        command.Parameters.Add(Text("after_dispute", after?[2]));
        command.Parameters.AddWithValue("take", take + 1);
        var items = new List<DisputeSummary>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new DisputeSummary(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5).ToUniversalTime(), reader.GetInt32(6), reader.GetString(7),
                    reader.GetFieldValue<DateTimeOffset>(8).ToUniversalTime(), reader.GetBoolean(9), reader.GetString(10),
                    reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetString(12)));
            }
        }

        var page = ReadPaging.PageOf(items, take, last => ReadPaging.Encode(DisputeKey(last)));
        await audit.RecordAsync(context, page.Items.Select(dispute => dispute.FamilyId), cancellationToken);
        return JsonBytesResult.Ok(context, page);
    }

    public static async Task<IResult> FindPersonAsync(
        HttpContext context,
        ReadStore store,
        AccessAudit audit,
        [Description("The case system that knows the person (e.g. LAS, LCS); with id.")] string? system,
        [Description("The person's id in that system; with system.")] string? id,
        [Description("The person's NHS number (10 digits); instead of system and id.")] string? nhsNumber,
        [Description("Which family the person was in at this instant (events that happened by then); this evaluates the whole store.")] DateTimeOffset? asOf,
        [Description("Count only events the service had recorded by this instant; as for asOf, the whole store is evaluated.")] DateTimeOffset? knownAt,
        TimeTravelLists pastLists,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        string scheme;
        string value;
        if (nhsNumber is not null && system is null && id is null)
        {
            if (nhsNumber.Length != 10 || !nhsNumber.All(char.IsAsciiDigit))
            {
                return ReadProblems.BadRequest("Invalid nhsNumber", "An NHS number is 10 digits.", "nhsNumber");
            }

            (scheme, value) = ("nhs", nhsNumber);
        }
        else if (nhsNumber is null && !string.IsNullOrWhiteSpace(system) && !string.IsNullOrWhiteSpace(id))
        {
            (scheme, value) = ("system:" + system, id);
        }
        else
        {
            return ReadProblems.BadRequest("Invalid person", "Give either system and id, or nhsNumber.");
        }

        if (asOf is not null || knownAt is not null)
        {
            var at = ListInstants.Of(asOf, knownAt, clock.GetUtcNow())!.Value;
            var identifier = nhsNumber is not null
                ? FamilyMember.NhsIdentifierOf(nhsNumber)
                : FamilyMember.SystemIdentifierOf(new PersonRef(system!, id!, null, null, null, null, null));
            var families = await pastLists.FirstAsync(
                at, family => PastListItems.FamilyNaming(family, identifier), _ => true, StringComparer.Ordinal, 1, cancellationToken);
            if (families is not [var familyThen])
            {
                return ReadProblems.NotFound("Person not found", "No family had a person with this identifier at that instant.");
            }

            await audit.RecordAsync(context, [familyThen], cancellationToken);
            return JsonBytesResult.Ok(context, new PersonFamily(familyThen, familyThen, false) { AsOf = at.AsOf, KnownAt = at.KnownAt });
        }

        var indexed = await store.FamilyOfPersonAsync(scheme, value, cancellationToken);
        var live = indexed is null ? null : await store.LiveStreamAsync(indexed, cancellationToken) ?? indexed;
        if (indexed is null || live is null)
        {
            return ReadProblems.NotFound("Person not found", "No family has a person with this identifier.");
        }

        await audit.RecordAsync(context, [live], cancellationToken);
        return JsonBytesResult.Ok(context, new PersonFamily(live, indexed, live != indexed));
    }

    public static async Task<IResult> ListYoungCarersAsync(
        HttpContext context,
        ReadStore store,
        AccessAudit audit,
        TimeProvider clock,
        [Description("Young carers (not yet 18 today) whose 18th birthday is before this date (yyyy-mm-dd).")] DateOnly? turning18Before,
        [Description(AsOfDescription + " Today is then the day of asOf.")] DateTimeOffset? asOf,
        [Description(KnownAtDescription)] DateTimeOffset? knownAt,
        [Description("The nextCursor of the previous page.")] string? cursor,
        [Description("Young carers per page: default 50, at most 200.")] int? limit,
        TimeTravelLists pastLists,
        CancellationToken cancellationToken)
    {
        if (turning18Before is null)
        {
            return ReadProblems.BadRequest("turning18Before required", "Give turning18Before as a date (yyyy-mm-dd).", "turning18Before");
        }

        if (ListInstants.Resolve(asOf, knownAt, cursor, 3, clock.GetUtcNow(), out var instants, out var after) is { } problem)
        {
            return problem;
        }

        DateOnly? afterDate = null;
        if (after is not null)
        {
            if (!ReadPaging.TryParseDate(after[0], out var turns18))
            {
                return ReadProblems.InvalidCursor();
            }

            afterDate = turns18;
        }

        var take = ReadPaging.Limit(limit);
        if (instants is { } at)
        {
            var before = turning18Before.Value;
            var pastToday = WorkingCalendar.LocalDate(at.AsOf);
            var pastPage = await pastLists.PageAsync(
                at,
                family => PastListItems.YoungCarers(family, pastToday, before),
                carer => after is null || PastListItems.CompareYoungCarer(carer, afterDate!.Value, after[1], after[2]) > 0,
                PastListItems.YoungCarerOrder,
                take,
                YoungCarerKey,
                cancellationToken);
            await audit.RecordAsync(context, pastPage.Items.Select(carer => carer.FamilyId), cancellationToken);
            return JsonBytesResult.Ok(context, pastPage);
        }

        var today = WorkingCalendar.LocalDate(clock.GetUtcNow());
        await using var command = store.DataSource.CreateCommand($"""
            SELECT y.family_id, y.person_key, y.identifiers, y.given_name, y.family_name, y.birth_date, y.age, y.turns_18, y.cares_for,
                   t.status, t.due_on, t.met_on
            FROM {Schema}.young_carers y
            LEFT JOIN LATERAL (
                SELECT o.status, o.due_on, o.met_on FROM {Schema}.obligations o
                WHERE o.family_id = y.family_id AND o.kind = @transition AND o.person_key = y.person_key
                ORDER BY o.opened_on DESC, o.obligation_id LIMIT 1
            ) t ON true
            WHERE y.turns_18 > @today AND y.turns_18 < @before
              AND (@after_date::date IS NULL OR (y.turns_18, y.family_id, y.person_key) > (@after_date::date, @after_family::text, @after_key::text))
            ORDER BY y.turns_18, y.family_id, y.person_key
            LIMIT @take
            """);
        command.Parameters.AddWithValue("transition", ObligationKinds.TransitionAssessment);
        command.Parameters.Add(Date("today", today));
        command.Parameters.Add(Date("before", turning18Before));
        command.Parameters.Add(Date("after_date", afterDate));
        command.Parameters.Add(Text("after_family", after?[1]));
        command.Parameters.Add(Text("after_key", after?[2]));
        command.Parameters.AddWithValue("take", take + 1);
        var items = new List<YoungCarerSummary>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new YoungCarerSummary(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetFieldValue<string[]>(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<DateOnly>(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    reader.GetFieldValue<DateOnly>(7),
                    reader.GetFieldValue<string[]>(8),
                    reader.IsDBNull(9) ? null : new TransitionAssessmentSummary(reader.GetString(9), reader.GetFieldValue<DateOnly>(10), reader.IsDBNull(11) ? null : reader.GetFieldValue<DateOnly>(11))));
            }
        }

        var page = ReadPaging.PageOf(items, take, last => ReadPaging.Encode(YoungCarerKey(last)));
        await audit.RecordAsync(context, page.Items.Select(carer => carer.FamilyId), cancellationToken);
        return JsonBytesResult.Ok(context, page);
    }
}

using System.ComponentModel;
using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Api.Reads.ReadStore;

namespace YoungCarers.Api.Reads;

/// <summary>The memorandum indicators for service managers (SPEC section 8), over [from, to).</summary>
public sealed record IndicatorsResponse(
    DateOnly From,
    DateOnly To,
    DateTimeOffset ComputedAt,
    ChildrenRecordedIndicator AdultAssessmentsRecordingChildren,
    WorkingDaysIndicator IdentificationToYoungCarerAssessment,
    IReadOnlyList<ServiceTimelinessIndicator> ObligationsMetOnTimeByService,
    IReadOnlyList<StageCount> DisputesByStageReached,
    TransitionIndicator TurnedEighteenWithTransitionAssessment)
{
    /// <summary>For indicators asked about an instant: the families (and the events counted) as they stood then; null for the live read model.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Only events the service had recorded by this instant counted; null for the live read model.</summary>
    public DateTimeOffset? KnownAt { get; init; }
}

/// <summary>Adult needs assessments completed in the period, and how many recorded children in the household (yes or no, not "not-recorded").</summary>
public sealed record ChildrenRecordedIndicator(int Completed, int Recorded, decimal? Share);

/// <summary>Young carer assessments completed in the period: working days from identification to completion.</summary>
public sealed record WorkingDaysIndicator(int Count, decimal? Median, decimal? Percentile90);

/// <summary>Obligations due in the period, by the service owing them; waived ones are left out of the share.</summary>
public sealed record ServiceTimelinessIndicator(string Service, int Due, int MetOnTime, int MetLate, int Overdue, int Open, int Waived, decimal? ShareMetOnTime);

/// <summary>Disputes raised in the period, by the highest stage they reached (as evaluated now).</summary>
public sealed record StageCount(int Stage, string StageName, int Disputes);

/// <summary>Young carers whose 18th birthday fell in the period (and has passed), and how many had their transition assessment by then.</summary>
public sealed record TransitionIndicator(int TurnedEighteen, int WithTransitionAssessment, decimal? Share);

/// <summary><c>GET /audit/indicators</c>: computed from the live read model and the event store.</summary>
internal static class IndicatorEndpoints
{
    public static async Task<IResult> GetIndicatorsAsync(
        HttpContext context,
        ReadStore store,
        LocalPolicy policy,
        TimeProvider clock,
        [Description("First day of the period (yyyy-mm-dd), inclusive.")] string? from,
        [Description("Day after the period (yyyy-mm-dd), exclusive.")] string? to,
        [Description("Compute from every family as it stood at this instant (events that happened by then, the clock and today set to then); this evaluates the whole store.")] DateTimeOffset? asOf,
        [Description("Count only events the service had recorded by this instant; as for asOf, the whole store is evaluated.")] DateTimeOffset? knownAt,
        TimeTravelLists pastLists,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(from) || string.IsNullOrEmpty(to))
        {
            return ReadProblems.BadRequest("Period required", "Give from and to as dates (yyyy-mm-dd).", string.IsNullOrEmpty(from) ? "from" : "to");
        }

        // Parsed here rather than bound as dates: a value that does not bind gets a 400 that names nothing.
        if (!ReadPaging.TryParseDate(from, out var start))
        {
            return ReadProblems.InvalidDate("from");
        }

        if (!ReadPaging.TryParseDate(to, out var end))
        {
            return ReadProblems.InvalidDate("to");
        }

        if (end <= start)
        {
            return ReadProblems.BadRequest("Invalid period", "to must be after from.", "to");
        }

        var now = clock.GetUtcNow();
        var instants = ListInstants.Of(asOf, knownAt, now);
        var period = new Period(start, end, WorkingCalendar.LocalDate(instants?.AsOf ?? now), WorkingCalendar.EnglandAndWales(policy.ExtraHolidays));

        // 1. Adult needs assessments completed in the period (by the event's time) recording children in the household.
        await using var assessments = store.DataSource.CreateCommand("""
            SELECT count(*)::int, count(*) FILTER (WHERE data->>'childrenInHousehold' IN ('yes', 'no'))::int
            FROM events WHERE type = 'adult.needs-assessment.completed.v1' AND occurred_at >= @from AND occurred_at < @to
              AND (@as_of::timestamptz IS NULL OR occurred_at <= @as_of::timestamptz)
              AND (@known_at::timestamptz IS NULL OR recorded_at <= @known_at::timestamptz)
            """);
        assessments.Parameters.Add(Instant("from", period.StartsAt));
        assessments.Parameters.Add(Instant("to", period.EndsAt));
        assessments.Parameters.Add(Instant("as_of", instants?.AsOf));
        assessments.Parameters.Add(Instant("known_at", instants?.KnownAt));
        int completed, recorded;
        await using (var reader = await assessments.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (completed, recorded) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        var counted = instants is { } at ? await PastAsync(pastLists, at, period, cancellationToken) : await LiveAsync(store, period, cancellationToken);
        var days = counted.Days;
        days.Sort();
        var (turned, withAssessment) = (counted.TurnedEighteen, counted.WithTransitionAssessment);
        var indicators = new IndicatorsResponse(
            start,
            end,
            now.ToUniversalTime(),
            new ChildrenRecordedIndicator(completed, recorded, Share(recorded, completed)),
            new WorkingDaysIndicator(days.Count, Percentile(days, 0.5m), Percentile(days, 0.9m)),
            [.. counted.ByService.Values.OrderBy(service => service.Service, StringComparer.Ordinal)],
            counted.Stages,
            new TransitionIndicator(turned, withAssessment, Share(withAssessment, turned)))
        {
            AsOf = instants?.AsOf,
            KnownAt = instants?.KnownAt,
        };

        // Tagged without the moment it was computed, which would make every answer new.
        return JsonBytesResult.Ok(context, indicators, indicators with { ComputedAt = default });
    }

    /// <summary>Indicators 2 to 5 from the live read model.</summary>
    private static async Task<Counted> LiveAsync(ReadStore store, Period period, CancellationToken cancellationToken)
    {
        // 2. Identification (the obligation opening) to young carer assessment (its meeting), in working days.
        await using var assessed = store.DataSource.CreateCommand($"""
            SELECT opened_on, met_on FROM {Schema}.obligations
            WHERE kind = @kind AND status = 'met' AND met_on >= @from AND met_on < @to
            """);
        assessed.Parameters.AddWithValue("kind", ObligationKinds.YoungCarerAssessment);
        assessed.Parameters.Add(Date("from", period.Start));
        assessed.Parameters.Add(Date("to", period.End));
        var days = new List<int>();
        await using (var reader = await assessed.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                days.Add(period.Calendar.WorkingDaysBetween(reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1)));
            }
        }

        // 3. Obligations due in the period, by service.
        await using var timeliness = store.DataSource.CreateCommand($"""
            SELECT owed_by,
                   count(*)::int,
                   count(*) FILTER (WHERE status = 'met' AND met_on <= due_on)::int,
                   count(*) FILTER (WHERE status = 'met' AND met_on > due_on)::int,
                   count(*) FILTER (WHERE status = 'overdue')::int,
                   count(*) FILTER (WHERE status = 'open')::int,
                   count(*) FILTER (WHERE status = 'waived')::int
            FROM {Schema}.obligations
            WHERE due_on >= @from AND due_on < @to
            GROUP BY owed_by ORDER BY owed_by
            """);
        timeliness.Parameters.Add(Date("from", period.Start));
        timeliness.Parameters.Add(Date("to", period.End));
        var byService = Services.All.ToDictionary(service => service, service => new ServiceTimelinessIndicator(service, 0, 0, 0, 0, 0, 0, null), StringComparer.Ordinal);
        await using (var reader = await timeliness.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var (due, onTime, waived) = (reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(6));
                byService[reader.GetString(0)] = new ServiceTimelinessIndicator(
                    reader.GetString(0), due, onTime, reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), waived, Share(onTime, due - waived));
            }
        }

        // 4. Disputes raised in the period by the stage they reached.
        await using var disputes = store.DataSource.CreateCommand($"""
            SELECT stage, min(stage_name), count(*)::int FROM {Schema}.disputes
            WHERE raised_on >= @from AND raised_on < @to
            GROUP BY stage ORDER BY stage
            """);
        disputes.Parameters.Add(Instant("from", period.StartsAt));
        disputes.Parameters.Add(Instant("to", period.EndsAt));
        var stages = new List<StageCount>();
        await using (var reader = await disputes.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stages.Add(new StageCount(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        // 5. Young carers who turned 18 in the period (the transition assessment is due the day before the birthday).
        await using var transitions = store.DataSource.CreateCommand($"""
            SELECT count(*)::int, count(*) FILTER (WHERE status = 'met' AND met_on <= due_on + 1)::int
            FROM {Schema}.obligations
            WHERE kind = @kind AND due_on + 1 >= @from AND due_on + 1 < @to AND due_on + 1 <= @today
            """);
        transitions.Parameters.AddWithValue("kind", ObligationKinds.TransitionAssessment);
        transitions.Parameters.Add(Date("from", period.Start));
        transitions.Parameters.Add(Date("to", period.End));
        transitions.Parameters.Add(Date("today", period.Today));
        int turned, withAssessment;
        await using (var reader = await transitions.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (turned, withAssessment) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        return new Counted(days, byService, stages, turned, withAssessment);
    }

    /// <summary>
    /// Indicators 2 to 5 from every family evaluated at <paramref name="instants"/>, counted as the live
    /// read model's statements count its rows (an obligation id counted once a family).
    /// </summary>
    private static async Task<Counted> PastAsync(TimeTravelLists pastLists, ListInstants instants, Period period, CancellationToken cancellationToken)
    {
        var days = new List<int>();
        var byService = new SortedDictionary<string, (int Due, int OnTime, int Late, int Overdue, int Open, int Waived)>(StringComparer.Ordinal);
        var stages = new SortedDictionary<int, (string Name, int Disputes)>();
        var (turned, withAssessment) = (0, 0);
        await pastLists.EachFamilyAsync(instants, family =>
        {
            foreach (var obligation in family.Obligations.DistinctBy(obligation => obligation.Id, StringComparer.Ordinal))
            {
                var met = obligation.Status == ObligationStatus.Met ? obligation.MetOn : null;
                if (obligation.Kind == ObligationKinds.YoungCarerAssessment && met is { } assessedOn && assessedOn >= period.Start && assessedOn < period.End)
                {
                    days.Add(period.Calendar.WorkingDaysBetween(obligation.OpenedOn, assessedOn));
                }

                if (obligation.DueOn >= period.Start && obligation.DueOn < period.End)
                {
                    var c = byService.GetValueOrDefault(obligation.OwedBy);
                    byService[obligation.OwedBy] = (
                        c.Due + 1,
                        c.OnTime + (met <= obligation.DueOn ? 1 : 0),
                        c.Late + (met > obligation.DueOn ? 1 : 0),
                        c.Overdue + (obligation.Status == ObligationStatus.Overdue ? 1 : 0),
                        c.Open + (obligation.Status == ObligationStatus.Open ? 1 : 0),
                        c.Waived + (obligation.Status == ObligationStatus.Waived ? 1 : 0));
                }

                // The transition assessment is due the day before the 18th birthday.
                var birthday = obligation.DueOn.AddDays(1);
                if (obligation.Kind == ObligationKinds.TransitionAssessment && birthday >= period.Start && birthday < period.End && birthday <= period.Today)
                {
                    turned++;
                    withAssessment += met <= birthday ? 1 : 0;
                }
            }

            foreach (var dispute in family.Disputes)
            {
                if (dispute.RaisedOn >= period.StartsAt && dispute.RaisedOn < period.EndsAt)
                {
                    var stage = stages.GetValueOrDefault(dispute.Stage, (Name: dispute.StageName, Disputes: 0));
                    stages[dispute.Stage] = (string.CompareOrdinal(dispute.StageName, stage.Name) < 0 ? dispute.StageName : stage.Name, stage.Disputes + 1);
                }
            }
        }, cancellationToken);

        var services = Services.All.ToDictionary(service => service, service => new ServiceTimelinessIndicator(service, 0, 0, 0, 0, 0, 0, null), StringComparer.Ordinal);
        foreach (var (service, c) in byService)
        {
            services[service] = new ServiceTimelinessIndicator(service, c.Due, c.OnTime, c.Late, c.Overdue, c.Open, c.Waived, Share(c.OnTime, c.Due - c.Waived));
        }

        return new Counted(days, services, [.. stages.Select(stage => new StageCount(stage.Key, stage.Value.Name, stage.Value.Disputes))], turned, withAssessment);
    }

    /// <summary>The period [<paramref name="Start"/>, <paramref name="End"/>), as dates and as UTC instants, and the day indicators count as today.</summary>
    private sealed record Period(DateOnly Start, DateOnly End, DateOnly Today, WorkingCalendar Calendar)
    {
        public DateTimeOffset StartsAt { get; } = new(Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        public DateTimeOffset EndsAt { get; } = new(End.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    }

    private sealed record Counted(
        List<int> Days, Dictionary<string, ServiceTimelinessIndicator> ByService, List<StageCount> Stages, int TurnedEighteen, int WithTransitionAssessment);

    private static decimal? Share(int part, int whole) => whole <= 0 ? null : Math.Round((decimal)part / whole, 4);

    /// <summary>Linear interpolation between closest ranks (the median of an even count is the mean of the middle two).</summary>
    internal static decimal? Percentile(IReadOnlyList<int> sorted, decimal p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = p * (sorted.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((rank - lower) * (sorted[upper] - sorted[lower]));
    }
}

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
    TransitionIndicator TurnedEighteenWithTransitionAssessment);

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
        var today = WorkingCalendar.LocalDate(now);
        var startsAt = new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var endsAt = new DateTimeOffset(end.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        // 1. Adult needs assessments completed in the period (by the event's time) recording children in the household.
        await using var assessments = store.DataSource.CreateCommand("""
            SELECT count(*)::int, count(*) FILTER (WHERE data->>'childrenInHousehold' IN ('yes', 'no'))::int
            FROM events WHERE type = 'adult.needs-assessment.completed.v1' AND occurred_at >= @from AND occurred_at < @to
            """);
        assessments.Parameters.Add(Instant("from", startsAt));
        assessments.Parameters.Add(Instant("to", endsAt));
        int completed, recorded;
        await using (var reader = await assessments.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (completed, recorded) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        // 2. Identification (the obligation opening) to young carer assessment (its meeting), in working days.
        var calendar = WorkingCalendar.EnglandAndWales(policy.ExtraHolidays);
        await using var assessed = store.DataSource.CreateCommand($"""
            SELECT opened_on, met_on FROM {Schema}.obligations
            WHERE kind = @kind AND status = 'met' AND met_on >= @from AND met_on < @to
            """);
        assessed.Parameters.AddWithValue("kind", ObligationKinds.YoungCarerAssessment);
        assessed.Parameters.Add(Date("from", start));
        assessed.Parameters.Add(Date("to", end));
        var days = new List<int>();
        await using (var reader = await assessed.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                days.Add(calendar.WorkingDaysBetween(reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1)));
            }
        }

        days.Sort();

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
        timeliness.Parameters.Add(Date("from", start));
        timeliness.Parameters.Add(Date("to", end));
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
        disputes.Parameters.Add(Instant("from", startsAt));
        disputes.Parameters.Add(Instant("to", endsAt));
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
        transitions.Parameters.Add(Date("from", start));
        transitions.Parameters.Add(Date("to", end));
        transitions.Parameters.Add(Date("today", today));
        int turned, withAssessment;
        await using (var reader = await transitions.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (turned, withAssessment) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        var indicators = new IndicatorsResponse(
            start,
            end,
            now.ToUniversalTime(),
            new ChildrenRecordedIndicator(completed, recorded, Share(recorded, completed)),
            new WorkingDaysIndicator(days.Count, Percentile(days, 0.5m), Percentile(days, 0.9m)),
            [.. byService.Values.OrderBy(service => service.Service, StringComparer.Ordinal)],
            stages,
            new TransitionIndicator(turned, withAssessment, Share(withAssessment, turned)));
        return JsonBytesResult.Ok(context, indicators, indicators with { ComputedAt = default });
    }

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

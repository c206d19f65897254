using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Family;

public static partial class FamilyProjection
{
    private const string DisputeBasis =
        $"{MoU2012} section 18: disagreements between the services are resolved up an agreed escalation ladder, each stage within its time; "
        + "they \"must not get in the way of responding in a timely manner\" nor \"leave the needs of family members unmet\", so an interim lead service is agreed meanwhile.";

    /// <summary>
    /// The family's disputes at <paramref name="now"/> under <paramref name="policy"/>'s ladder, in the
    /// order they were raised. Only what had happened by <paramref name="now"/> counts (events dated
    /// later are not yet in force). An absorbed family has none: they live on in the survivor.
    /// </summary>
    /// <remarks>
    /// Each stage's deadline is the end of the UK day so many working days after it was entered (that
    /// day not counted). A stage left automatically ends at its deadline and the next stage counts
    /// from the old due day, so every stage gets its full working days; a stage entered by a manual
    /// escalation counts from the day of the escalation. At the last stage a dispute stays open past
    /// its deadline. A manual escalation at the last stage, or naming a stage the dispute has already
    /// left, moves nothing but is listed among the events.
    /// </remarks>
    public static IReadOnlyList<Dispute> Disputes(FamilyState state, DateTimeOffset now, LocalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        return DisputesAt(new At(state, now, policy));
    }

    private static IReadOnlyList<Dispute> DisputesAt(At at)
    {
        var (state, now, policy) = (at.State, at.Now, at.Policy);
        if (state.AbsorbedInto is not null || state.Disputes.IsEmpty)
        {
            return [];
        }

        if (policy.DisputeLadder.Count == 0)
        {
            throw new ArgumentException($"Local policy {policy.Version} has no dispute ladder.");
        }

        var calendar = at.Calendar;
        return [.. state.Disputes.Values
            .Select(record => DisputeAt(state, record, now, policy, calendar))
            .OfType<Dispute>()
            .OrderBy(dispute => dispute.RaisedOn)
            .ThenBy(dispute => dispute.DisputeId, StringComparer.Ordinal)];
    }

    private static Dispute? DisputeAt(FamilyState state, DisputeRecord record, DateTimeOffset now, LocalPolicy policy, WorkingCalendar calendar)
    {
        if (record.Raised is not { } raised || raised.Event.RaisedOn > now)
        {
            return null;
        }

        var raisedOn = raised.Event.RaisedOn;
        DateTimeOffset NotBefore(DateTimeOffset at, DateTimeOffset floor) => at < floor ? floor : at;

        // The first resolution in force ends the timers; anything said after it changes nothing.
        var resolution = record.Resolutions.Where(r => r.Event.ResolvedOn <= now).MinBy(r => r.Event.ResolvedOn);
        var end = resolution is null ? now : NotBefore(resolution.Event.ResolvedOn, raisedOn);
        var escalations = record.Escalations.Where(e => e.Event.EscalatedOn <= end).OrderBy(e => e.Event.EscalatedOn).ToList();
        var agreements = record.InterimLeads.Where(a => a.Event.AgreedOn <= end).OrderBy(a => a.Event.AgreedOn).ToList();

        var ladder = policy.DisputeLadder;
        var history = new List<DisputeStageRecord>();
        var (stage, enteredAt, countFrom, next) = (0, raisedOn, WorkingCalendar.LocalDate(raisedOn), 0);
        while (true)
        {
            var dueOn = calendar.AddWorkingDays(countFrom, ladder[stage].WorkingDays);
            var deadline = WorkingCalendar.EndOfDay(dueOn);
            var isLast = stage == ladder.Count - 1;

            Seen<DisputeEscalated>? manual = null;
            for (; next < escalations.Count && manual is null; next++)
            {
                var at = NotBefore(escalations[next].Event.EscalatedOn, enteredAt);
                if (!isLast && at >= deadline)
                {
                    break; // the deadline escalates first; this one is weighed at the next stage
                }

                if (!isLast && (escalations[next].Event.FromStage ?? stage + 1) == stage + 1)
                {
                    manual = escalations[next];
                }
            }

            if (manual is not null)
            {
                var at = NotBefore(manual.Event.EscalatedOn, enteredAt);
                history.Add(new(stage + 1, ladder[stage].Name, enteredAt, dueOn, deadline, at, DisputeStageExit.EscalatedManually, manual.Ref, manual.Event.Reason, Overdue: false));
                (stage, enteredAt, countFrom) = (stage + 1, at, WorkingCalendar.LocalDate(at));
                continue;
            }

            if (!isLast && end >= deadline)
            {
                history.Add(new(stage + 1, ladder[stage].Name, enteredAt, dueOn, deadline, deadline, DisputeStageExit.EscalatedAutomatically, null,
                    $"Not resolved by the end of {dueOn:yyyy-MM-dd}: escalated automatically.", Overdue: true));
                (stage, enteredAt, countFrom) = (stage + 1, deadline, dueOn);
                continue;
            }

            history.Add(resolution is null
                ? new(stage + 1, ladder[stage].Name, enteredAt, dueOn, deadline, null, null, null, null, Overdue: now >= deadline)
                : new(stage + 1, ladder[stage].Name, enteredAt, dueOn, deadline, NotBefore(end, enteredAt), DisputeStageExit.Resolved, resolution.Ref,
                    resolution.Event.Note, Overdue: end >= deadline));
            break;
        }

        var interim = InterimLeadOf(raisedOn, agreements, end, resolution is not null, policy, calendar);
        var current = history[^1];
        var pastDeadline = resolution is null && now >= current.Deadline;
        string? overdue = null;
        if (resolution is null)
        {
            var automatic = history.Where(h => h.Exit == DisputeStageExit.EscalatedAutomatically).Select(h => $"{h.Number} ({h.Name})").ToList();
            overdue = string.Join(" ", new[]
            {
                pastDeadline ? $"It has been at the last stage, {current.Name}, past its deadline at the end of {current.DueOn:yyyy-MM-dd}." : null,
                interim.Status == InterimLeadStatus.Missed
                    ? $"No interim lead service was agreed within {policy.InterimLeadWorkingDays} working day(s) of it being raised (by the end of {interim.DueOn:yyyy-MM-dd})."
                    : null,
                automatic.Count > 0 ? $"Stage(s) {string.Join(", ", automatic)} passed their deadline unresolved and were escalated automatically." : null,
            }.OfType<string>());
            overdue = overdue.Length == 0 ? null : $"The dispute is overdue. {overdue}";
        }

        var e = raised.Event;
        var persons = e.Persons.Select(person => state.Members.FirstOrDefault(member => member.Identifiers.Contains(person))?.Key ?? person).Distinct(StringComparer.Ordinal);
        return new(
            e.DisputeId, e.RaisedBy, e.Subject, [.. persons], e.Summary, raisedOn, e.RaisedByUser,
            resolution is null ? DisputeStatus.Open : DisputeStatus.Resolved,
            current.Number, current.Name, current.EnteredAt, current.DueOn, current.Deadline, pastDeadline,
            history, interim,
            resolution is null ? null : new(resolution.Event.LeadService, resolution.Event.FundingSplit ?? [], resolution.Event.ResolvedOn,
                resolution.Event.Note, resolution.Event.ResolvedBy, resolution.Ref),
            overdue,
            [raised.Ref, .. escalations.Select(s => s.Ref), .. agreements.Select(a => a.Ref), .. resolution is null ? [] : new[] { resolution.Ref }],
            DisputeBasis,
            policy.Version);
    }

    /// <summary>The interim lead owed within the policy's working days of the raising, judged at <paramref name="end"/> (now, or the resolution).</summary>
    private static InterimLead InterimLeadOf(
        DateTimeOffset raisedOn, List<Seen<DisputeInterimLeadAgreed>> agreements, DateTimeOffset end, bool resolved, LocalPolicy policy, WorkingCalendar calendar)
    {
        var dueOn = calendar.AddWorkingDays(WorkingCalendar.LocalDate(raisedOn), policy.InterimLeadWorkingDays);
        var deadline = WorkingCalendar.EndOfDay(dueOn);
        var first = agreements.FirstOrDefault();
        var latest = agreements.LastOrDefault();
        var status = first is not null ? (first.Event.AgreedOn < deadline ? InterimLeadStatus.AgreedInTime : InterimLeadStatus.AgreedLate)
            : end >= deadline ? InterimLeadStatus.Missed
            : resolved ? InterimLeadStatus.NotNeeded
            : InterimLeadStatus.Pending;
        return new(status, dueOn, deadline, latest?.Event.LeadService, first?.Event.AgreedOn, latest?.Ref);
    }
}

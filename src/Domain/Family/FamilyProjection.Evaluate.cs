using System.Runtime.CompilerServices;
using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Family;

/// <summary>
/// Everything the projection answers about a family at an instant: what <see cref="FamilyProjection.Describe"/>,
/// <see cref="FamilyProjection.Decide"/>, <see cref="FamilyProjection.Flags"/>,
/// <see cref="FamilyProjection.Disputes"/> and <see cref="FamilyProjection.NextChange"/> would each answer.
/// </summary>
public sealed record FamilyEvaluation(
    FamilyView View,
    IReadOnlyList<Obligation> Obligations,
    IReadOnlyList<Flag> Flags,
    IReadOnlyList<Dispute> Disputes,
    DateTimeOffset? NextChange);

public static partial class FamilyProjection
{
    private static readonly ConditionalWeakTable<LocalPolicy, WorkingCalendar> Calendars = [];

    /// <summary>
    /// The family evaluated at <paramref name="now"/> under <paramref name="policy"/> in one pass:
    /// the same answers as the separate calls, with what they share (care records, open
    /// involvement, the calendar, the obligations and disputes) worked out once.
    /// </summary>
    public static FamilyEvaluation Evaluate(FamilyState state, DateTimeOffset now, LocalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        var at = new At(state, now, policy);
        var view = DescribeAt(at);
        var obligations = DecideAt(at);
        var disputes = DisputesAt(at);
        var flags = FlagsAt(at, obligations, disputes);
        return new(view, obligations, flags, disputes, NextChangeAt(at, obligations, disputes));
    }

    /// <summary>The policy's working calendar, built once per policy instance (policies are immutable).</summary>
    private static WorkingCalendar CalendarOf(LocalPolicy policy) => Calendars.GetValue(policy, static p => p.Calendar());

    /// <summary>An evaluation instant and what every rule reads at it, each worked out once, when first asked for.</summary>
    private sealed class At(FamilyState state, DateTimeOffset now, LocalPolicy? policy)
    {
        private WorkingCalendar? _calendar;
        private List<CareRecord>? _care;
        private List<CareRecord>? _careToday;
        private List<Involvement>? _involvement;

        public FamilyState State => state;

        public DateTimeOffset Now => now;

        public LocalPolicy Policy => policy ?? throw new InvalidOperationException("This evaluation has no policy.");

        public DateOnly Today { get; } = WorkingCalendar.LocalDate(now);

        public WorkingCalendar Calendar => _calendar ??= CalendarOf(Policy);

        /// <summary>Every care record, whatever its date.</summary>
        public List<CareRecord> Care => _care ??= CareRecords(state);

        /// <summary>The care records dated today or earlier.</summary>
        public List<CareRecord> CareToday => _careToday ??= DatedBy(Care, Today);

        /// <summary>Open involvement today.</summary>
        public List<Involvement> Involvement => _involvement ??= OpenInvolvement(state, Today);

        // Nearly always every record is dated today or earlier, and the list itself serves (no rule changes it).
        private static List<CareRecord> DatedBy(List<CareRecord> care, DateOnly today)
        {
            List<CareRecord>? dated = null;
            for (var i = 0; i < care.Count; i++)
            {
                if (care[i].On > today)
                {
                    dated ??= care[..i];
                }
                else
                {
                    dated?.Add(care[i]);
                }
            }

            return dated ?? care;
        }
    }
}

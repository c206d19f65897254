using System.Diagnostics;
using System.Globalization;
using System.Text;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using YoungCarers.Generation;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;
using SyntheticEvents = YoungCarers.Generation.EventGenerator;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The <c>evaluate</c> command: the process's share of a rebuild, measured apart from the database
/// and single-threaded, so that a change to the rules can be compared by the microsecond. Generated
/// families are parsed once (not timed) and grouped by the generator's own family key, with their
/// events in the order they happened; each round then times, per family, deserialising the stored
/// events, folding them into a state, evaluating the state and writing the evaluation as the
/// family's rows (its JSON document among them) in binary COPY form, and counts the bytes allocated.
/// </summary>
internal static class FamilyEvaluationBenchmark
{
    private static readonly int RebuildChunk = new RebuildOptions().FamiliesPerChunk;

    public static int Run(FamilyEvaluationBenchmarkOptions options)
    {
        // A fixed instant a month after the generated stories end, so that runs on different days decide the same obligations.
        var now = new DateTimeOffset(GenerationOptions.DefaultEnd.AddDays(30).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var families = Load(options, now);
        var events = families.Sum(family => family.Facts.Count);
        var policy = LocalPolicy.Default;
        var states = families.Select(family => FamilyProjection.Replay(family.Facts)).ToList();
        var evaluated = families.Select((family, i) =>
            (Replayed: new ReplayedFamily(states[i], family.Facts.Count, family.Facts.Max(fact => fact.RecordedAt)), Evaluation: FamilyProjection.Evaluate(states[i], now, policy)))
            .ToList();
        var rows = new ReadModelRows(ReadModelSchema.Rebuilding);

        // The first round also compiles and tiers up the code; it is reported but not summarised.
        var rounds = new List<Round>();
        for (var round = 0; round <= options.Rounds; round++)
        {
            rounds.Add(new Round(
                Time(families, family => Deserialise(family.Stored).Count),
                Time(families, family => FamilyProjection.Replay(family.Facts).Members.Length),
                Time(states, state => FamilyProjection.Evaluate(state, now, policy).Obligations.Count),
                Time(states, state => FamilyProjection.Describe(state, now).Members.Count),
                Time(states, state => FamilyProjection.Decide(state, now, policy).Count),
                Time(states, state => FamilyProjection.NextChange(state, now, policy) is null ? 0 : 1),
                Time(evaluated, family => WriteRows(rows, family.Replayed, family.Evaluation, now, policy))));
        }

        var measured = rounds.Skip(1).ToList();
        var report = new Report();
        report.Title("Family evaluation benchmark: the rebuild's work in this process, single-threaded, without a database");
        report.Machine(inProcess: true);
        report.Row("data", string.Create(CultureInfo.InvariantCulture, $"{families.Count:N0} families, {events:N0} events"),
            string.Create(CultureInfo.InvariantCulture, $"{options.Families:N0} generated, seed {options.Seed}; valid lines only, grouped by the generator's family"));
        report.Row("evaluated at", now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), "a month after the generated events end");
        report.Row("rounds", options.Rounds.ToString(CultureInfo.InvariantCulture), "after one untimed warm-up round; per family, the median round, then the fastest and slowest");
        report.Blank();
        report.Title("Per family");
        Summarise(report, "deserialise its stored events", measured.Select(r => r.Deserialise), "StoredEventSerializer, as the rebuild reads them");
        Summarise(report, "fold them into a state", measured.Select(r => r.Fold), "FamilyProjection.Replay");
        Summarise(report, "evaluate the state", measured.Select(r => r.Evaluate), "FamilyProjection.Evaluate: view, obligations, disputes, flags, next change");
        Summarise(report, "  describe alone", measured.Select(r => r.Describe), "each step alone repeats the shared work Evaluate does once");
        Summarise(report, "  decide alone", measured.Select(r => r.Decide), "");
        Summarise(report, "  next change alone", measured.Select(r => r.NextChange), "");
        Summarise(report, "write its rows", measured.Select(r => r.Rows),
            string.Create(CultureInfo.InvariantCulture, $"its document and every table's rows, encoded for COPY as the rebuild encodes them ({RebuildChunk:N0} families a buffer)"));
        report.WriteTo(Console.Out);
        return 0;
    }

    private static List<GeneratedFamily> Load(FamilyEvaluationBenchmarkOptions options, DateTimeOffset now)
    {
        var byFamily = new Dictionary<string, List<FamilyFact>>(StringComparer.Ordinal);
        foreach (var line in SyntheticEvents.Generate(new GenerationOptions(options.Families, options.Seed)))
        {
            if (!line.IntendedValid || line.IsDuplicate)
            {
                continue;
            }

            if (InboundEventParser.Parse(Encoding.UTF8.GetBytes(line.Json), now) is not ParsedEvent parsed)
            {
                throw new InvalidOperationException($"The generator meant a line of {line.FamilyKey} to be valid, and it is not: {line.Json}");
            }

            if (!byFamily.TryGetValue(line.FamilyKey, out var facts))
            {
                byFamily[line.FamilyKey] = facts = [];
            }

            var envelope = parsed.Envelope;
            facts.Add(new FamilyFact(parsed.Event, envelope.Time, envelope.Time, envelope.Source, envelope.Id, line.FamilyKey, facts.Count + 1));
        }

        return [.. byFamily.Values.Select(facts => new GeneratedFamily([.. facts.OrderBy(fact => fact.OccurredAt)], [.. facts.Select(StoredForm)]))];
    }

    /// <summary>An event's stored form, made once while loading: the rounds time reading it, not writing it.</summary>
    private static (string Type, byte[] Json) StoredForm(FamilyFact fact)
    {
        var (type, json) = StoredEventSerializer.Serialize((IInboundEvent)fact.Payload);
        return (type, Encoding.UTF8.GetBytes(json));
    }

    private static List<IInboundEvent> Deserialise(List<(string Type, byte[] Json)> stored)
    {
        var events = new List<IInboundEvent>(stored.Count);
        foreach (var (type, json) in stored)
        {
            events.Add(StoredEventSerializer.Deserialize(type, json));
        }

        return events;
    }

    /// <summary>Adds a family's record to the rows, emptied as a rebuild's COPY of a chunk empties them; the rows held.</summary>
    private static int WriteRows(ReadModelRows rows, ReplayedFamily replayed, FamilyEvaluation evaluation, DateTimeOffset now, LocalPolicy policy)
    {
        if (rows.FamilyIds.Count == RebuildChunk)
        {
            rows.Clear();
        }

        rows.Add(FamilyEvaluator.Record("family-benchmark", replayed.FactCount, replayed, now, policy, evaluation));
        return rows.FamilyIds.Count;
    }

    private static Measure Time<T>(List<T> items, Func<T, int> work)
    {
        var sink = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        foreach (var item in items)
        {
            sink += work(item);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        GC.KeepAlive(sink);
        return new Measure(elapsed.TotalMicroseconds / items.Count, (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / items.Count);
    }

    private static void Summarise(Report report, string label, IEnumerable<Measure> measures, string note)
    {
        var sorted = measures.OrderBy(measure => measure.Microseconds).ToList();
        var median = sorted[sorted.Count / 2];
        report.Row(label, string.Create(CultureInfo.InvariantCulture, $"{median.Microseconds,8:F1} µs {median.Kilobytes,6:F1} kB"),
            string.Create(CultureInfo.InvariantCulture, $"{sorted[0].Microseconds:F1} to {sorted[^1].Microseconds:F1} µs{(note.Length == 0 ? "" : "; " + note)}"));
    }

    /// <summary>A generated family's events in the order they happened, and each in its stored form.</summary>
    private sealed record GeneratedFamily(List<FamilyFact> Facts, List<(string Type, byte[] Json)> Stored);

    private sealed record Measure(double Microseconds, double Kilobytes);

    private sealed record Round(Measure Deserialise, Measure Fold, Measure Evaluate, Measure Describe, Measure Decide, Measure NextChange, Measure Rows);
}

/// <param name="Families">Generated families (the valid lines of each).</param>
/// <param name="Rounds">Timed rounds after the warm-up round.</param>
internal sealed record FamilyEvaluationBenchmarkOptions(int Families, int Seed, int Rounds);

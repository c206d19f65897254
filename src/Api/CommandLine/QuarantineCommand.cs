using System.CommandLine;
using System.Text;
using YoungCarers.Api.Audit;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Api.CommandLine;

/// <summary><c>quarantine list | show ID --purpose WHY | resubmit ID [--file corrected.json]</c>: the integration team's quarantine tools.</summary>
internal static class QuarantineCommand
{
    public static Command Create()
    {
        var quarantine = new Command("quarantine", "List, inspect and resubmit events that failed validation.");

        var after = new Option<long>("--after") { Description = "Show entries after this quarantine id (paging).", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "How many entries to show.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "Open entries, oldest first.") { after, limit };
        list.TreatUnmatchedTokensAsErrors = false;
        list.SetAction((parse, token) => WithStoreAsync(parse, async (store, _, ct) =>
        {
            var entries = await store.ListOpenAsync(parse.GetValue(after), Math.Clamp(parse.GetValue(limit), 1, 1000), ct);
            foreach (var e in entries)
            {
                await Console.Out.WriteLineAsync(
                    $"{e.QuarantineId}\t{e.ReceivedAt:u}\t{e.Channel}\t{e.Source ?? "-"}\t{e.SourceEventId ?? "-"}\t{e.Type ?? "-"}\t" +
                    string.Join("; ", e.Reasons.Select(r => $"{r.Field}: {r.Rule}")));
            }

            await Console.Out.WriteLineAsync($"{entries.Count} open entries shown.");
            return 0;
        }, token));

        var id = new Argument<long>("id") { Description = "The quarantine id." };
        var purpose = new Option<string?>("--purpose") { Description = "Why you read the entry's payload (personal data): recorded in the access log, as the HTTP API's X-Access-Purpose is." };
        var show = new Command("show", "One entry: where it came from, why it was refused, and the payload as received.") { id, purpose };
        show.TreatUnmatchedTokensAsErrors = false;
        show.SetAction((parse, token) => WithStoreAsync(parse, async (store, database, ct) =>
        {
            var stated = parse.GetValue(purpose)?.Trim();
            if (string.IsNullOrEmpty(stated) || stated.Length > AccessAudit.MaxPurposeLength)
            {
                await Console.Error.WriteLineAsync($"youngcarers: an entry's payload is personal data: say why you read it with --purpose (at most {AccessAudit.MaxPurposeLength} characters).");
                return 2;
            }

            if (await store.GetAsync(parse.GetValue(id), ct) is not { } e)
            {
                await Console.Error.WriteLineAsync($"youngcarers: there is no quarantine entry {parse.GetValue(id)}.");
                return 2;
            }

            // Recorded before anything is shown, as GET /admin/quarantine/{id} records it: by the account running the command.
            await AccessAudit.InsertAsync(
                database.DataSource,
                [(new AccessRecord($"cli:{Environment.UserName}", [], e.Resolution?.FamilyId is { } familyId ? [familyId] : [], "CLI quarantine show", stated, null), DateTimeOffset.UtcNow)],
                ct);

            await Console.Out.WriteLineAsync($"quarantine {e.QuarantineId} ({e.Status}), received {e.ReceivedAt:u} by {e.Channel} " +
                string.Join(", ", e.Origin.Select(o => $"{o.Key}={o.Value}")) + $", delivered {e.Deliveries} time(s)");
            if (e.Resolution is { } resolution)
            {
                await Console.Out.WriteLineAsync($"resolved {e.ResolvedAt:u} by {e.ResolvedBy}: {Describe(resolution)}");
            }

            foreach (var reason in e.Reasons)
            {
                await Console.Out.WriteLineAsync($"  {reason.Field}: {reason.Rule}: {reason.Message}");
            }

            await Console.Out.WriteLineAsync(Encoding.UTF8.GetString(e.Payload));
            return 0;
        }, token));

        var file = new Option<FileInfo?>("--file") { Description = "A corrected event to submit instead of the stored payload." };
        var by = new Option<string>("--by") { Description = "Who is resubmitting (recorded on the entry).", DefaultValueFactory = _ => Environment.UserName };
        var resubmit = new Command("resubmit", "Put an entry through validation again, as stored or corrected.") { id, file, by };
        resubmit.TreatUnmatchedTokensAsErrors = false;
        resubmit.SetAction(async (parse, token) =>
        {
            // The corrected file is read before the database is opened, so a wrong path costs nothing.
            ReadOnlyMemory<byte>? corrected = null;
            if (parse.GetValue(file) is { } path)
            {
                if (!path.Exists)
                {
                    await Console.Error.WriteLineAsync(MissingFile.Message(path));
                    return 2;
                }

                corrected = WithoutByteOrderMark(await File.ReadAllBytesAsync(path.FullName, token));
            }

            return await WithStoreAsync(parse, async (store, database, ct) =>
            {
                var pipeline = new IngestPipeline(new PostgresEventStore(database.DataSource), store, TimeProvider.System);
                var outcome = await new QuarantineResubmission(store, pipeline, TimeProvider.System).ResubmitAsync(parse.GetValue(id), corrected, parse.GetValue(by)!, ct);
                switch (outcome)
                {
                    case ResubmissionAccepted accepted:
                        await Console.Out.WriteLineAsync($"Entry resolved: {Describe(accepted.Resolution)}.");
                        return 0;
                    case ResubmissionRejected rejected:
                        await Console.Out.WriteLineAsync("Still invalid; the entry stays open:");
                        foreach (var reason in rejected.Errors)
                        {
                            await Console.Out.WriteLineAsync($"  {reason.Field}: {reason.Rule}: {reason.Message}");
                        }

                        return 3;
                    default:
                        await Console.Error.WriteLineAsync($"youngcarers: there is no open quarantine entry {parse.GetValue(id)}.");
                        return 2;
                }
            }, token);
        });

        quarantine.Subcommands.Add(list);
        quarantine.Subcommands.Add(show);
        quarantine.Subcommands.Add(resubmit);
        return quarantine;
    }

    /// <summary>Where a resolved entry's event went.</summary>
    private static string Describe(QuarantineResolution resolution) => resolution.Outcome == QuarantineResolution.Duplicate
        ? $"a duplicate of event {resolution.SourceEventId} from {resolution.Source}, already stored in {resolution.FamilyId}"
        : $"accepted into {resolution.FamilyId} as event {resolution.SourceEventId} from {resolution.Source}";

    /// <summary>Editors on Windows start UTF-8 files with a byte order mark, which is not part of the JSON.</summary>
    private static ReadOnlyMemory<byte> WithoutByteOrderMark(byte[] bytes) =>
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsMemory(Encoding.UTF8.Preamble.Length) : bytes;

    private static async Task<int> WithStoreAsync(
        ParseResult parse, Func<QuarantineStore, CommandDatabase, CancellationToken, Task<int>> work, CancellationToken cancellationToken)
    {
        await using var database = await CommandDatabase.OpenMigratedAsync([.. parse.UnmatchedTokens], cancellationToken);
        return await work(new QuarantineStore(database.DataSource), database, cancellationToken);
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Ingest.Replay;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// <c>replay FILE [--batch N] [--lanes N] [--from-start]</c>: sends an NDJSON file of CloudEvents through the
/// ingest pipeline, resuming where an interrupted run stopped.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>The exit code of a run stopped (Ctrl+C) before the end of the file, as a shell reports SIGINT.</summary>
    public const int InterruptedExitCode = 130;

    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "An NDJSON file: one CloudEvents envelope (JSON object) per line." };
        var batch = new Option<int>("--batch")
        {
            Description = "Events per transaction.",
            DefaultValueFactory = _ => ReplayOptions.DefaultBatchSize,
        };
        batch.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is <= 0 or > 100_000)
            {
                result.AddError("--batch must be between 1 and 100000.");
            }
        });
        var lanes = new Option<int>("--lanes")
        {
            Description = "Transactions stored at once, from each read of --batch events per lane; events about the same people stay in one lane, in file order. 1: one transaction at a time.",
            DefaultValueFactory = _ => ReplayOptions.DefaultLanes,
        };
        lanes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is <= 0 or > ReplayOptions.MaxLanes)
            {
                result.AddError($"--lanes must be between 1 and {ReplayOptions.MaxLanes}.");
            }
        });
        var fromStart = new Option<bool>("--from-start") { Description = "Ignore the checkpoint of an earlier run and read the file from its first line." };

        var replay = new Command("replay",
            "Replay an NDJSON file of CloudEvents through validation, identity and the event store. Invalid lines are " +
            "quarantined with their file and line; events already stored are skipped. An interrupted replay (Ctrl+C) " +
            "resumes where it stopped.")
        {
            file, batch, lanes, fromStart,
        };
        replay.TreatUnmatchedTokensAsErrors = false;
        replay.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!,
            new ReplayOptions { BatchSize = parse.GetValue(batch), Lanes = parse.GetValue(lanes), FromStart = parse.GetValue(fromStart) },
            [.. parse.UnmatchedTokens],
            cancellationToken));
        return replay;
    }

    private static async Task<int> RunAsync(FileInfo file, ReplayOptions options, string[] configurationArgs, CancellationToken stop)
    {
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync(MissingFile.Message(file));
            return 2;
        }

        await using var database = await CommandDatabase.OpenMigratedAsync(configurationArgs, stop);
        var pipeline = new IngestPipeline(new PostgresEventStore(database.DataSource), new QuarantineStore(database.DataSource), TimeProvider.System);
        var replay = new FileReplay(pipeline, new ReplayCheckpoints(database.DataSource));

        ReplayProgress outcome;
        try
        {
            outcome = IsTerminal()
                ? await RunWithProgressBarAsync(replay, file.FullName, options, stop)
                : await RunWithProgressLinesAsync(replay, file.FullName, options, stop);
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
        {
            await Console.Error.WriteLineAsync($"youngcarers: {e.Message} The checkpoint is at the last complete read.");
            return 1;
        }
        catch (FileNotFoundException)
        {
            await Console.Error.WriteLineAsync(MissingFile.Message(file));
            return 2;
        }

        await Console.Out.WriteAsync(Summary(outcome));
        return outcome.Completed ? 0 : InterruptedExitCode;
    }

    /// <summary>A live bar when a person is watching; redirected output (CI, a log file) gets plain lines instead.</summary>
    private static bool IsTerminal() => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static async Task<ReplayProgress> RunWithProgressBarAsync(FileReplay replay, string path, ReplayOptions options, CancellationToken stop)
    {
        ReplayProgress? outcome = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(Path.GetFileName(path)), maxValue: 1);
                outcome = await replay.RunAsync(path, options, progress =>
                {
                    task.MaxValue = Math.Max(1, progress.FileSize);
                    task.Value = progress.FileSize == 0 ? 1 : progress.ByteOffset;
                    task.Description = Markup.Escape(Status(progress));
                }, stop);
                if (!outcome.Completed)
                {
                    task.StopTask();
                }
            });
        return outcome!;
    }

    private static async Task<ReplayProgress> RunWithProgressLinesAsync(FileReplay replay, string path, ReplayOptions options, CancellationToken stop)
    {
        var lastLine = Stopwatch.GetTimestamp();
        return await replay.RunAsync(path, options, progress =>
        {
            if (progress.Events == 0 && progress.Resumed)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Resuming {path} after line {progress.StartLine:N0} (byte {progress.StartOffset:N0} of {progress.FileSize:N0}), where an earlier run stopped."));
            }
            else if (Stopwatch.GetElapsedTime(lastLine) >= PlainProgressInterval && !progress.Completed)
            {
                lastLine = Stopwatch.GetTimestamp();
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{progress.Fraction,4:P0}  {Status(progress)}"));
            }
        }, stop);
    }

    private static string Status(ReplayProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Events:N0} events, {p.EventsPerSecond:N0}/s, ETA {(p.Remaining is { } left ? Duration(left) : "-")}");

    private static string Summary(ReplayProgress p)
    {
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        Line($"{(p.Completed ? "Replayed" : "Stopped replaying")} {p.FilePath}: {p.Events:N0} events in {Duration(p.Elapsed)} ({p.EventsPerSecond:N0} events/s)");
        Line($"  accepted     {p.Accepted,12:N0}");
        Line($"  duplicates   {p.Duplicates,12:N0}");
        Line($"  quarantined  {p.Quarantined,12:N0}{(p.Quarantined > 0 ? "   (see them with the `quarantine list` command)" : "")}");
        if (p.Resumed)
        {
            Line($"  resumed after line {p.StartLine:N0} (byte {p.StartOffset:N0}) from an earlier run's checkpoint; --from-start reads it all again");
        }

        if (!p.Completed)
        {
            Line($"  stopped after line {p.Lines:N0} (byte {p.ByteOffset:N0} of {p.FileSize:N0}, {p.Fraction:P0}); run the same command again to resume");
        }

        return text.ToString();
    }

    private static string Duration(TimeSpan time) => time.TotalHours >= 1
        ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : time.TotalSeconds >= 60 ? time.ToString(@"m\:ss", CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.0} s");
}

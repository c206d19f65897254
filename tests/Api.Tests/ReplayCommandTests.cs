using System.Globalization;
using System.Text.RegularExpressions;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class ReplayCommandTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _database;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"yc-replay-cli-{Guid.NewGuid():N}");

    public ReplayCommandTests(DatabaseFixture database)
    {
        _database = database;
        Directory.CreateDirectory(_directory);
    }

    [Fact]
    public async Task The_replay_command_ingests_a_file_reports_what_became_of_it_and_a_second_run_has_nothing_left_to_do()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var file = Path.Combine(_directory, "events.ndjson");
        await File.WriteAllLinesAsync(file,
        [
            Identified($"{id}-1", Child($"c1-{id}"), Adult($"a1-{id}")),
            Identified($"{id}-2", Child($"c2-{id}")),
            "{ \"this is\": \"not an event\" }",
            Identified($"{id}-2", Child($"c2-{id}")),
        ]);
        var database = $"--ConnectionStrings:EventStore={_database.ConnectionString}";

        var first = await CliProcess.RunAsync("replay", file, "--batch", "3", database);
        var second = await CliProcess.RunAsync("replay", file, database);

        Assert.True(first.ExitCode == 0, first.Output + first.Errors);
        Assert.Equal((2, 1, 1), Counts(first.Output));
        Assert.Contains($"Replayed {file}: 4 events", first.Output, StringComparison.Ordinal);
        // There is no youngcarers executable: the command is the service's own.
        Assert.Contains("(see them with the `quarantine list` command)", first.Output, StringComparison.Ordinal);
        var entry = (await new QuarantineStore(_database.DataSource).ListOpenAsync(0, 1000)).Single(e => e.Origin.GetValueOrDefault("file") == file);
        Assert.Equal(("file", "3"), (entry.Channel, entry.Origin["line"]));
        Assert.True(second.ExitCode == 0, second.Output + second.Errors);
        Assert.Equal((0, 0, 0), Counts(second.Output));
        Assert.Contains("resumed after line 4", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_fails_with_a_plain_message_before_touching_the_database()
    {
        var missing = Path.Combine(_directory, "missing.ndjson");

        var run = await CliProcess.RunAsync("replay", missing, "--ConnectionStrings:EventStore=Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"youngcarers: there is no file {missing}.", run.Errors.Trim());
    }

    [Fact]
    public async Task A_missing_file_given_by_a_relative_path_is_reported_with_the_directory_it_was_looked_for_in()
    {
        // `dotnet run` runs the command in the project's directory, so a path relative to the caller's misses.
        var run = await CliProcess.RunAsync("replay", Path.Combine("samples", "missing.ndjson"), "--ConnectionStrings:EventStore=Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");

        Assert.Equal(2, run.ExitCode);
        var workingDirectory = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        Assert.Equal(
            $"youngcarers: there is no file {Path.Combine(workingDirectory, "samples", "missing.ndjson")}. A relative path is taken from the working directory, {workingDirectory}, "
            + "which `dotnet run` sets to the project's directory; give the full path instead (for example \"$PWD/samples/missing.ndjson\").",
            run.Errors.Trim());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Accepted, int Duplicates, int Quarantined) Counts(string output) =>
        (Count(output, "accepted"), Count(output, "duplicates"), Count(output, "quarantined"));

    private static int Count(string output, string label) =>
        int.Parse(Regex.Match(output, $@"^\s+{label}\s+([\d,]+)", RegexOptions.Multiline).Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
}

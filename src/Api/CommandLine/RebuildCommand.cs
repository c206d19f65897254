using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using YoungCarers.Projections;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// <c>rebuild [--parallelism N] [--chunk N]</c>: rebuilds every projection (the family read model)
/// from the event store into a fresh schema while the old one keeps serving, then swaps it in.
/// </summary>
internal static class RebuildCommand
{
    public static Command Create()
    {
        var parallelism = new Option<int>("--parallelism")
        {
            Description = "Chunks of families read and evaluated at once.",
            DefaultValueFactory = _ => Math.Clamp(Environment.ProcessorCount, 1, 2),
        };
        var chunk = new Option<int>("--chunk")
        {
            Description = "Families per chunk (each chunk's events are read in stream order; with more than a few thousand, PostgreSQL may scan and sort them rather than walk the stream index).",
            DefaultValueFactory = _ => new RebuildOptions().FamiliesPerChunk,
        };
        parallelism.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is <= 0 or > 64)
            {
                result.AddError("--parallelism must be between 1 and 64.");
            }
        });
        chunk.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is <= 0 or > 100_000)
            {
                result.AddError("--chunk must be between 1 and 100000.");
            }
        });

        var rebuild = new Command("rebuild",
            "Rebuild the read model (families, obligations, flags, disputes, deadline schedule) from the event store into a fresh " +
            "schema while the current one keeps serving, then swap it in atomically. A running service pauses its " +
            "projection only for the final catch-up and swap.")
        {
            parallelism, chunk,
        };
        rebuild.TreatUnmatchedTokensAsErrors = false;
        rebuild.SetAction((parse, cancellationToken) => RunAsync(
            new RebuildOptions { Parallelism = parse.GetValue(parallelism), FamiliesPerChunk = parse.GetValue(chunk) },
            [.. parse.UnmatchedTokens],
            cancellationToken));
        return rebuild;
    }

    private static async Task<int> RunAsync(RebuildOptions options, string[] configurationArgs, CancellationToken stop)
    {
        await using var database = await CommandDatabase.OpenMigratedAsync(configurationArgs, stop);
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(configurationArgs)
            .Build();
        var policy = ProjectionsRegistration.LoadPolicy(configuration[ProjectionsRegistration.PolicyFileKey]);
        var rebuild = new ReadModelRebuild(database.DataSource, new FamilyReadModel(policy, TimeProvider.System));

        var lastReport = Stopwatch.StartNew();
        var progress = new Progress<RebuildProgress>(p =>
        {
            if (p.Phase != "bulk" || lastReport.Elapsed >= TimeSpan.FromSeconds(5))
            {
                lastReport.Restart();
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {p.Phase,-9} {p.Families,9:N0} of {p.TotalFamilies:N0} families  {p.Events,11:N0} events  {p.Elapsed.TotalSeconds,7:F1} s"));
            }
        });

        await Console.Out.WriteLineAsync($"Rebuilding the read model (policy {policy.Version}, {options.Parallelism} in parallel, {options.FamiliesPerChunk} families per chunk)");
        var result = await rebuild.RunAsync(options, progress, stop);
        var peak = PeakRssMegabytes();
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
            Rebuilt the read model
              events            {result.Events,12:N0}   bulk pass {result.BulkElapsed.TotalSeconds:F1} s
              events/s          {result.WholeEventsPerSecond,12:N0}   whole rebuild ({result.EventsPerSecond:N0} in the bulk pass)
              bulk time         read {result.BulkBreakdown.Read.TotalSeconds:F1} s, evaluate {result.BulkBreakdown.Evaluate.TotalSeconds:F1} s, write {result.BulkBreakdown.Write.TotalSeconds:F1} s (summed over workers)
              families          {result.Families,12:N0}   and {result.AbsorbedFamilies:N0} merged into others
              caught up         {result.CatchUpEvents,12:N0}   events appended during the rebuild
              elapsed           {result.Elapsed.TotalSeconds,12:F1} s   until the swap; the old read model dropped in {result.RetiredDropped.TotalSeconds:F1} s after it
              checkpoint        {result.Checkpoint}
              peak RSS          {(peak is null ? "unknown" : $"{peak:N0} MB"),12}
            """));
        return 0;
    }

    /// <summary>VmHWM from /proc (Linux), in MB.</summary>
    private static long? PeakRssMegabytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

namespace YoungCarers.Api.CommandLine;

internal static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var database = await CommandDatabase.OpenAsync(args, cancellationToken);
        var migrator = database.Migrator;
        var applied = await migrator.MigrateAsync(cancellationToken);
        await Console.Out.WriteLineAsync(applied.Count == 0
            ? $"Schema already current at version {migrator.Scripts[^1].Version}."
            : $"Applied schema versions {string.Join(", ", applied)}.");
        return 0;
    }
}

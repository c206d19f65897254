using System.CommandLine;
using Npgsql;
using YoungCarers.Api.Security;
using YoungCarers.EventStore.Embedded;
using YoungCarers.EventStore.Schema;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// The service's commands. With no command it serves HTTP; every token it does not recognise
/// (such as <c>--urls</c> or <c>--ConnectionStrings:EventStore=...</c>) goes to the host's configuration.
/// </summary>
internal static class YoungCarersCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("YoungCarers: joins up adult and children's social care around young carers.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.SetAction((parse, cancellationToken) => ServiceHost.RunAsync([.. parse.UnmatchedTokens], cancellationToken));

        var migrate = new Command("migrate", "Apply the database schema (idempotent) and exit.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        migrate.SetAction((parse, cancellationToken) => MigrateCommand.RunAsync([.. parse.UnmatchedTokens], cancellationToken));
        root.Subcommands.Add(migrate);
        root.Subcommands.Add(QuarantineCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(RebuildCommand.Create());

        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is EmbeddedPostgresException or SchemaMigrationException or NpgsqlException or SecurityConfigurationException or YoungCarers.Domain.Policy.PolicyFileException)
        {
            // An operator's problem (no binaries, unreachable server, schema from a newer build): say what, not where.
            await Console.Error.WriteLineAsync($"youngcarers: {e.Message}");
            return 1;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"youngcarers: {e.Message} Is the service already running? Another address can be given with --urls.");
            return 1;
        }
    }
}

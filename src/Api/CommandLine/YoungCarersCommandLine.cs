using System.CommandLine;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// The service's commands. With no command it serves HTTP; every token it does not recognise
/// (such as <c>--urls</c> or <c>--ConnectionStrings:EventStore=...</c>) goes to the host's configuration.
/// </summary>
internal static class YoungCarersCommandLine
{
    public static Task<int> InvokeAsync(string[] args)
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

        return root.Parse(args).InvokeAsync();
    }
}

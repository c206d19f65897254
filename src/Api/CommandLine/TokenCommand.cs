using System.CommandLine;
using YoungCarers.Api.Security;
using YoungCarers.Api.Storage;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// <c>token --client NAME --scope "families:read obligations:read" [--lifetime 1h]</c>: mints a token
/// signed with the first configured symmetric key, else (embedded database only) the development key.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var client = new Option<string>("--client") { Description = "The client the token names (its sub and client_id).", Required = true };
        var scope = new Option<string>("--scope") { Description = $"Space-separated scopes: {string.Join(" ", Scopes.All)}.", Required = true };
        var lifetime = new Option<string>("--lifetime") { Description = "How long the token is valid: 30m, 1h, 7d (at most 30d).", DefaultValueFactory = _ => "1h" };
        var command = new Command("token", "Mint a bearer token for local development and print it.") { client, scope, lifetime };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, _) =>
        {
            if (!DevelopmentTokens.TryParseLifetime(parse.GetValue(lifetime)!, out var validFor))
            {
                await Console.Error.WriteLineAsync("youngcarers: --lifetime must be like 30m, 1h or 7d, and at most 30d.");
                return 2;
            }

            var scopes = parse.GetValue(scope)!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var unknown = scopes.Where(s => !Scopes.All.Contains(s, StringComparer.Ordinal)).ToList();
            if (scopes.Length == 0 || unknown.Count > 0)
            {
                await Console.Error.WriteLineAsync($"youngcarers: unknown scope {string.Join(", ", unknown)}; the scopes are {string.Join(", ", Scopes.All)}.");
                return 2;
            }

            var configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine([.. parse.UnmatchedTokens])
                .Build();
            var settings = AuthSettings.Resolve(configuration, DatabaseConnection.IsEmbedded(configuration));
            if (settings.SymmetricKey is not { } key)
            {
                await Console.Error.WriteLineAsync("youngcarers: only RSA public keys are configured; tokens for this service come from your identity provider.");
                return 2;
            }

            await Console.Out.WriteLineAsync(DevelopmentTokens.Mint(
                key, settings.Issuer, settings.Audience, parse.GetValue(client)!, scopes, DateTimeOffset.UtcNow, validFor));
            return 0;
        });
        return command;
    }
}

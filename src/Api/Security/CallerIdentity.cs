using System.Security.Claims;
using YoungCarers.Ingest.Http;

namespace YoungCarers.Api.Security;

/// <summary>Who is calling, as a token names it: a client (system or user) and the scopes granted to it.</summary>
public static class CallerIdentity
{
    /// <summary>The claims, in order of preference, that name the calling client.</summary>
    public static IReadOnlyList<string> ClientClaimTypes => Actor.ClientClaimTypes;

    /// <summary>The calling client's id, or null for an anonymous caller (<see cref="Actor.ClientOf"/>, shared with the write endpoints' audit).</summary>
    public static string? ClientOf(ClaimsPrincipal user) => Actor.ClientOf(user);

    /// <summary>The claims that carry scopes (each space-separated, or repeated).</summary>
    public static IReadOnlyList<string> ScopeClaimTypes { get; } = ["scope", "scp"];

    /// <summary>The scopes the caller's token grants, distinct, in the order given.</summary>
    public static IReadOnlyList<string> ScopesOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return [.. user.Claims
            .Where(claim => ScopeClaimTypes.Contains(claim.Type, StringComparer.Ordinal))
            .SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)];
    }
}

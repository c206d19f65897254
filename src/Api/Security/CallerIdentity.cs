using System.Security.Claims;

namespace YoungCarers.Api.Security;

/// <summary>Who is calling, as a token names it: a client (system or user) and the scopes granted to it.</summary>
public static class CallerIdentity
{
    /// <summary>The claims, in order of preference, that name the calling client.</summary>
    public static IReadOnlyList<string> ClientClaimTypes { get; } = ["client_id", "azp", "appid", "sub"];

    /// <summary>The claims that carry scopes (each space-separated, or repeated).</summary>
    public static IReadOnlyList<string> ScopeClaimTypes { get; } = ["scope", "scp"];

    /// <summary>The calling client's id, or null for an anonymous caller.</summary>
    public static string? ClientOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        foreach (var type in ClientClaimTypes)
        {
            if (user.FindFirst(type)?.Value is { Length: > 0 } value)
            {
                return value;
            }
        }

        return user.Identity.Name;
    }

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

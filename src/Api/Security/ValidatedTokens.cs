using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace YoungCarers.Api.Security;

/// <summary>
/// Bearer tokens this process has validated, remembered until they expire: a client sends the same
/// token on every request for its lifetime, and parsing it, checking its signature and building its
/// claims again each time was a seventh of the service's work on a list read. Only a token that the
/// handler accepted is remembered, keyed by its exact text (signature included), and never past its
/// own expiry; the signing keys are fixed for the process's lifetime, so nothing that was valid when
/// remembered becomes invalid before then.
/// </summary>
internal sealed class ValidatedTokens
{
    /// <summary>Tokens remembered at most; when full, expired ones are dropped and new ones wait for room.</summary>
    public const int Capacity = 10_000;

    private const string BearerPrefix = "Bearer ";

    private readonly ConcurrentDictionary<string, Remembered> _tokens = new(StringComparer.Ordinal);

    public JwtBearerEvents Events() => new()
    {
        OnMessageReceived = context =>
        {
            if (TryRecall(context.Request.Headers.Authorization.ToString(), Now(context), out var principal))
            {
                context.Principal = principal;
                context.Success();
            }

            return Task.CompletedTask;
        },
        OnTokenValidated = context =>
        {
            if (context.SecurityToken is JsonWebToken token && context.Principal is { } principal)
            {
                Remember(token.EncodedToken, new DateTimeOffset(token.ValidTo, TimeSpan.Zero), principal, Now(context));
            }

            return Task.CompletedTask;
        },
    };

    public int Count => _tokens.Count;

    internal bool TryRecall(string authorization, DateTimeOffset now, out ClaimsPrincipal principal)
    {
        principal = null!;
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            || !_tokens.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(authorization.AsSpan(BearerPrefix.Length).Trim(), out var remembered))
        {
            return false;
        }

        if (remembered.ExpiresAt <= now)
        {
            _tokens.TryRemove(KeyValuePair.Create(remembered.Token, remembered));
            return false;
        }

        principal = remembered.Principal;
        return true;
    }

    internal void Remember(string token, DateTimeOffset expiresAt, ClaimsPrincipal principal, DateTimeOffset now)
    {
        if (expiresAt <= now)
        {
            return;
        }

        if (_tokens.Count >= Capacity)
        {
            foreach (var expired in _tokens.Where(entry => entry.Value.ExpiresAt <= now))
            {
                _tokens.TryRemove(expired);
            }

            if (_tokens.Count >= Capacity)
            {
                return;
            }
        }

        _tokens[token] = new Remembered(token, expiresAt, principal);
    }

    private static DateTimeOffset Now(Microsoft.AspNetCore.Authentication.BaseContext<JwtBearerOptions> context) =>
        (context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow();

    private sealed record Remembered(string Token, DateTimeOffset ExpiresAt, ClaimsPrincipal Principal);
}

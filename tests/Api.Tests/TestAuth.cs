using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

/// <summary>The tests' signing key, tokens signed with it, and the service configured to accept them.</summary>
internal static class TestAuth
{
    /// <summary>32 fixed bytes, base64: what <c>Auth:SymmetricKeys:0</c> is set to.</summary>
    public static readonly string SigningKey = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))]);

    public static WebApplicationFactory<Program> Service(string connectionString, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:EventStore", connectionString);
            host.UseSetting("Auth:SymmetricKeys:0", SigningKey);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
        });

    /// <summary>A token for <paramref name="client"/> granting <paramref name="scopes"/> (space-separated), valid from <paramref name="notBefore"/> (now).</summary>
    public static string Token(string scopes, string client = "test-client", TimeSpan? lifetime = null, DateTimeOffset? notBefore = null, string? signingKey = null,
        string issuer = AuthSettings.DefaultIssuer, string audience = AuthSettings.DefaultAudience, string algorithm = SecurityAlgorithms.HmacSha256) =>
        DevelopmentTokens.Mint(new SymmetricSecurityKey(Convert.FromBase64String(signingKey ?? SigningKey)), issuer, audience, client,
            scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), notBefore ?? DateTimeOffset.UtcNow, lifetime ?? TimeSpan.FromMinutes(10), algorithm);

    /// <summary>A token that expired five minutes ago (well beyond the 30 s clock skew).</summary>
    public static string ExpiredToken(string scopes) => Token(scopes, notBefore: DateTimeOffset.UtcNow.AddMinutes(-15), lifetime: TimeSpan.FromMinutes(10));

    public static HttpClient ClientWith(this WebApplicationFactory<Program> service, string? scopes, string client = "test-client")
    {
        var http = service.CreateClient();
        if (scopes is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(scopes, client));
        }

        return http;
    }

    public static HttpRequestMessage WithToken(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>
    /// A write's <c>If-Match</c> (sent as given, unvalidated, so tests can send malformed ones) and
    /// <c>Idempotency-Key</c>, each only when given.
    /// </summary>
    public static HttpRequestMessage WithWriteHeaders(this HttpRequestMessage request, string? ifMatch, string? idempotencyKey)
    {
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }
}

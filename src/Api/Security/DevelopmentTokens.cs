using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace YoungCarers.Api.Security;

/// <summary>Mints bearer tokens signed with a symmetric key: the <c>token</c> command's development tokens.</summary>
internal static class DevelopmentTokens
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    /// <param name="notBefore">When the token starts to be valid (it is issued then too).</param>
    public static string Mint(
        SecurityKey key, string issuer, string audience, string client, IEnumerable<string> scopes, DateTimeOffset notBefore, TimeSpan lifetime,
        string algorithm = SecurityAlgorithms.HmacSha256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(client);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore.UtcDateTime,
            NotBefore = notBefore.UtcDateTime,
            Expires = (notBefore + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, algorithm),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = client,
                ["client_id"] = client,
                ["scope"] = string.Join(' ', scopes.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)),
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>Reads <c>1h</c>, <c>30m</c>, <c>90s</c>, <c>7d</c> or a TimeSpan (<c>01:00:00</c>).</summary>
    public static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = default;
        text = text.Trim();
        if (text.Length >= 2 && long.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? parsed = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (parsed is { } value)
            {
                lifetime = value;
                return value > TimeSpan.Zero && value <= MaxLifetime;
            }
        }

        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out lifetime) && lifetime > TimeSpan.Zero && lifetime <= MaxLifetime;
    }
}

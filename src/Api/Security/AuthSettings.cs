using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace YoungCarers.Api.Security;

/// <summary>
/// How bearer tokens are validated, from the <c>Auth</c> configuration section: <c>Issuer</c>,
/// <c>Audience</c>, <c>SymmetricKeys</c> (base64, at least 32 bytes each), <c>RsaPublicKeys</c> (PEM
/// text, or the path of a PEM file), <c>Algorithms</c> (allowed <c>alg</c> values) and <c>ClockSkew</c>.
/// With no key configured, the embedded-database development setup uses a generated development key.
/// </summary>
internal sealed class AuthSettings
{
    public const string Section = "Auth";
    public const string DefaultIssuer = "youngcarers";
    public const string DefaultAudience = "youngcarers-api";
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);
    private static readonly string[] DefaultAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256];

    private AuthSettings(string issuer, string audience, IReadOnlyList<SecurityKey> keys, IReadOnlyList<string> algorithms, TimeSpan clockSkew, string? developmentKeyFile)
    {
        Issuer = issuer;
        Audience = audience;
        Keys = keys;
        Algorithms = algorithms;
        ClockSkew = clockSkew;
        DevelopmentKeyFile = developmentKeyFile;
    }

    public string Issuer { get; }

    public string Audience { get; }

    public IReadOnlyList<SecurityKey> Keys { get; }

    public IReadOnlyList<string> Algorithms { get; }

    public TimeSpan ClockSkew { get; }

    /// <summary>Where the development key lives, when development tokens are what the service accepts.</summary>
    public string? DevelopmentKeyFile { get; }

    /// <summary>The first symmetric key, which the <c>token</c> command signs with.</summary>
    public SymmetricSecurityKey? SymmetricKey => Keys.OfType<SymmetricSecurityKey>().FirstOrDefault();

    /// <summary>
    /// The configured keys; or, with none configured and the embedded database in use, the development
    /// key (created if missing). With none configured and a real database, refuses.
    /// </summary>
    public static AuthSettings Resolve(IConfiguration configuration, bool embeddedDatabase)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var keys = new List<SecurityKey>();
        foreach (var (value, index) in Values(section.GetSection("SymmetricKeys")).Select((v, i) => (v, i)))
        {
            keys.Add(ParseSymmetricKey(value, $"{Section}:SymmetricKeys:{index}"));
        }

        foreach (var (value, index) in Values(section.GetSection("RsaPublicKeys")).Select((v, i) => (v, i)))
        {
            keys.Add(ParseRsaKey(value, $"{Section}:RsaPublicKeys:{index}"));
        }

        string? developmentKeyFile = null;
        if (keys.Count == 0)
        {
            if (!embeddedDatabase)
            {
                throw new SecurityConfigurationException(
                    "No token signing key is configured (Auth:SymmetricKeys or Auth:RsaPublicKeys) and the service uses a real database " +
                    "(ConnectionStrings:EventStore): refusing to start. Development tokens are accepted only with the embedded PostgreSQL.");
            }

            developmentKeyFile = DevelopmentSigningKey.PathFor(configuration);
            keys.Add(new SymmetricSecurityKey(DevelopmentSigningKey.LoadOrCreate(developmentKeyFile)) { KeyId = "development" });
        }

        var algorithms = Values(section.GetSection("Algorithms")).ToList();
        var clockSkew = section.GetValue<TimeSpan?>("ClockSkew") ?? DefaultClockSkew;
        if (clockSkew < TimeSpan.Zero || clockSkew > TimeSpan.FromMinutes(5))
        {
            throw new SecurityConfigurationException("Auth:ClockSkew must be between 00:00:00 and 00:05:00.");
        }

        return new AuthSettings(
            section["Issuer"] is { Length: > 0 } issuer ? issuer : DefaultIssuer,
            section["Audience"] is { Length: > 0 } audience ? audience : DefaultAudience,
            keys,
            algorithms.Count > 0 ? algorithms : DefaultAlgorithms,
            clockSkew,
            developmentKeyFile);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = Keys,
        ValidAlgorithms = Algorithms,
        ClockSkew = ClockSkew,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        NameClaimType = "sub",
    };

    private static IEnumerable<string> Values(IConfigurationSection section) =>
        section.GetChildren().Select(child => child.Value).Where(value => !string.IsNullOrWhiteSpace(value)).Select(value => value!.Trim());

    private static SymmetricSecurityKey ParseSymmetricKey(string base64, string key)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new SecurityConfigurationException($"{key} is not base64.");
        }

        return bytes.Length >= DevelopmentSigningKey.KeyBytes
            ? new SymmetricSecurityKey(bytes)
            : throw new SecurityConfigurationException($"{key} is {bytes.Length} bytes; a signing key needs at least {DevelopmentSigningKey.KeyBytes}.");
    }

    private static RsaSecurityKey ParseRsaKey(string pemOrPath, string key)
    {
        var pem = pemOrPath.StartsWith("-----BEGIN", StringComparison.Ordinal) ? pemOrPath
            : File.Exists(pemOrPath) ? File.ReadAllText(pemOrPath)
            : throw new SecurityConfigurationException($"{key} is neither PEM text nor the path of a PEM file.");
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
            throw new SecurityConfigurationException($"{key} holds no RSA public key in PEM form.");
        }

        return new RsaSecurityKey(rsa);
    }
}

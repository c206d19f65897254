using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using YoungCarers.Api.RateLimiting;
using YoungCarers.Api.Storage;

namespace YoungCarers.Api.Security;

/// <summary>
/// Bearer-token authentication and deny-by-default authorization: every endpoint needs an
/// authenticated caller unless it says <c>.AllowAnonymous()</c>, and one policy per scope
/// (<see cref="Scopes"/>) for endpoints that need more.
/// </summary>
internal static class SecurityRegistration
{
    /// <summary>Call before the database starts, so a refusal leaves nothing running.</summary>
    /// <exception cref="SecurityConfigurationException">No signing key is configured and the database is not the embedded one, or a key is malformed.</exception>
    public static WebApplicationBuilder AddServiceSecurity(this WebApplicationBuilder builder)
    {
        var settings = AuthSettings.Resolve(builder.Configuration, DatabaseConnection.IsEmbedded(builder.Configuration));
        var services = builder.Services;
        services.AddSingleton(settings);
        var validatedTokens = new ValidatedTokens();
        services.AddSingleton(validatedTokens);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            // Claim names as issued (scope, scp, client_id, sub), not mapped to WS-Federation URIs.
            options.MapInboundClaims = false;
            options.TokenValidationParameters = settings.ValidationParameters();
            options.Events = validatedTokens.Events();
        });
        services.AddAuthorization(options =>
        {
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (var scope in Scopes.All)
            {
                options.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
            }
        });
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddHostedService<SecurityStartupReport>();
        return builder;
    }

    /// <summary>Authentication, then per-client rate limiting (which needs to know the client), then authorization.</summary>
    public static WebApplication UseServiceSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseServiceRateLimiting();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>Says at start-up which tokens the service accepts, loudly when they are development tokens.</summary>
internal sealed partial class SecurityStartupReport(AuthSettings settings, ILogger<SecurityStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.DevelopmentKeyFile is { } file)
        {
            LogDevelopmentTokens(file);
        }
        else
        {
            LogConfigured(settings.Keys.Count, settings.Issuer, settings.Audience);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "DEVELOPMENT TOKENS IN USE: no Auth signing key is configured, so the service accepts tokens signed with the development key in {KeyFile} (mint one with the service's `token --client NAME --scope SCOPES` command). Configure Auth:SymmetricKeys or Auth:RsaPublicKeys before exposing the service.")]
    private partial void LogDevelopmentTokens(string keyFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepting bearer tokens from issuer {Issuer} for audience {Audience} signed with one of {KeyCount} configured keys")]
    private partial void LogConfigured(int keyCount, string issuer, string audience);
}

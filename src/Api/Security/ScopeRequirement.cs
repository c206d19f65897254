using Microsoft.AspNetCore.Authorization;

namespace YoungCarers.Api.Security;

/// <summary>The caller's token must grant <see cref="Scope"/>.</summary>
internal sealed class ScopeRequirement(string scope) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (CallerIdentity.ScopesOf(context.User).Contains(requirement.Scope, StringComparer.Ordinal))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

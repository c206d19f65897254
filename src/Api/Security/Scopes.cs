namespace YoungCarers.Api.Security;

/// <summary>
/// The scopes a caller's token can carry (in its space-separated <c>scope</c> claim, or <c>scp</c>),
/// each also the name of the authorization policy that requires it: an endpoint needing a scope says
/// <c>.RequireAuthorization(Scopes.FamiliesRead)</c>. Every other endpoint needs an authenticated
/// caller (the fallback policy) unless it says <c>.AllowAnonymous()</c>.
/// </summary>
public static class Scopes
{
    /// <summary>Submit events: <c>POST /events</c>.</summary>
    public const string EventsWrite = "events:write";

    /// <summary>Read families, their timelines, people and young carers.</summary>
    public const string FamiliesRead = "families:read";

    /// <summary>Read handover obligations across families.</summary>
    public const string ObligationsRead = "obligations:read";

    /// <summary>Raise and move on disputes between services.</summary>
    public const string DisputesWrite = "disputes:write";

    /// <summary>The integration team: every <c>/admin/*</c> endpoint and <c>GET /audit/access</c>.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, each a policy name.</summary>
    public static IReadOnlyList<string> All { get; } = [EventsWrite, FamiliesRead, ObligationsRead, DisputesWrite, Admin];
}

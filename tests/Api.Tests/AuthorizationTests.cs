using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

public sealed class AuthorizationTests(SecuredService fixture) : IClassFixture<SecuredService>
{
    /// <summary>Every endpoint the service has, with the scope it needs and a request that gets past authorization.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "POST", "/events", Scopes.EventsWrite },
        { "GET", "/admin/quarantine", Scopes.Admin },
        { "GET", "/admin/quarantine/1", Scopes.Admin },
        { "POST", "/admin/quarantine/1/resubmit", Scopes.Admin },
        { "POST", "/admin/families/merge", Scopes.Admin },
        { "POST", "/admin/families/family-x/split", Scopes.Admin },
        { "GET", "/admin/identity-candidates", Scopes.Admin },
        { "POST", "/admin/identity-candidates/1/dismiss", Scopes.Admin },
        { "POST", "/admin/projections/rebuild", Scopes.Admin },
        { "GET", "/admin/projections/rebuilds/1", Scopes.Admin },
        { "POST", "/families/family-x/disputes", Scopes.DisputesWrite },
        { "POST", "/families/family-x/disputes/d-1/escalate", Scopes.DisputesWrite },
        { "POST", "/families/family-x/disputes/d-1/interim-lead", Scopes.DisputesWrite },
        { "POST", "/families/family-x/disputes/d-1/resolve", Scopes.DisputesWrite },
        { "POST", "/families/family-x/obligations/o-1/waive", Scopes.Admin },
        { "GET", "/audit/access", Scopes.Admin },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_token_every_endpoint_answers_401_with_a_bearer_challenge_and_problem_details(string method, string path, string scope)
    {
        _ = scope;
        var response = await SendAsync(method, path, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        var problem = await ProblemAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_expired_token_gets_401_saying_it_expired(string method, string path, string scope)
    {
        var response = await SendAsync(method, path, TestAuth.ExpiredToken(scope));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("The bearer token has expired.", (await ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_valid_token_without_the_scope_gets_403_naming_the_scope(string method, string path, string scope)
    {
        var others = string.Join(' ', Scopes.All.Where(s => s != scope));

        var response = await SendAsync(method, path, TestAuth.Token(others));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"scope=\"{scope}\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var problem = await ProblemAsync(response);
        Assert.Equal([scope], problem.GetProperty("requiredScopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_valid_token_with_the_scope_gets_past_authorization(string method, string path, string scope)
    {
        var response = await SendAsync(method, path, TestAuth.Token(scope));

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Scopes_are_read_from_the_scp_claim_too()
    {
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthSettings.DefaultIssuer,
            Audience = AuthSettings.DefaultAudience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(TestAuth.SigningKey)), SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object> { ["sub"] = "azure-app", ["scp"] = "families:read admin" },
        });

        var response = await SendAsync("GET", "/admin/quarantine", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("wrong-issuer")]
    [InlineData("wrong-audience")]
    [InlineData("not-a-token")]
    public async Task A_token_that_fails_validation_gets_401(string flaw)
    {
        var token = flaw switch
        {
            "wrong-key" => TestAuth.Token(Scopes.Admin, signingKey: Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            "wrong-issuer" => TestAuth.Token(Scopes.Admin, issuer: "someone-else"),
            "wrong-audience" => TestAuth.Token(Scopes.Admin, audience: "another-api"),
            _ => "not.a.token",
        };

        var response = await SendAsync("GET", "/admin/quarantine", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("The bearer token is not valid.", (await ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_signed_with_an_algorithm_not_allowed_gets_401()
    {
        await using var service = TestAuth.Service(fixture.Database.ConnectionString, ("Auth:Algorithms:0", SecurityAlgorithms.RsaSha256));
        using var http = service.CreateClient();

        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/quarantine").WithToken(TestAuth.Token(Scopes.Admin)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_a_configured_RSA_key_is_accepted_and_one_signed_with_another_is_not()
    {
        using var rsa = RSA.Create(2048);
        using var other = RSA.Create(2048);
        await using var service = TestAuth.Service(fixture.Database.ConnectionString, ("Auth:RsaPublicKeys:0", rsa.ExportSubjectPublicKeyInfoPem()));
        string Mint(RSA key) => DevelopmentTokens.Mint(new RsaSecurityKey(key), AuthSettings.DefaultIssuer, AuthSettings.DefaultAudience, "rsa-client",
            [Scopes.Admin], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), SecurityAlgorithms.RsaSha256);
        using var http = service.CreateClient();

        var accepted = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/quarantine").WithToken(Mint(rsa)));
        var refused = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/quarantine").WithToken(Mint(other)));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Paths_that_match_no_endpoint_are_denied_too()
    {
        var response = await SendAsync("GET", "/no-such-thing", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_service_refuses_to_start_on_a_real_database_with_no_signing_key()
    {
        var run = await CliProcess.RunAsync("--ConnectionStrings:EventStore=Host=127.0.0.1;Port=1;Username=nobody;Timeout=2", "--urls=http://127.0.0.1:0");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("youngcarers: No token signing key is configured", run.Errors, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? token)
    {
        using var http = fixture.Service.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.WithToken(token);
        }

        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

public sealed class RequestBindingProblemTests(SecuredService service) : IClassFixture<SecuredService>
{
    [Theory]
    [InlineData("/families/family-x?asOf=last-tuesday", "asOf", "RFC 3339")]
    [InlineData("/families/family-x?knownAt=2025-13-45T00:00:00Z", "knownAt", "RFC 3339")]
    [InlineData("/obligations?limit=fifty", "limit", "whole number")]
    [InlineData("/obligations?dueBefore=soon", "dueBefore", "date")]
    public async Task A_query_value_that_does_not_bind_is_a_problem_naming_the_parameter_and_what_it_must_be(string path, string parameter, string expected)
    {
        using var http = service.Service.ClientWith($"{Scopes.FamiliesRead} {Scopes.ObligationsRead}");
        http.DefaultRequestHeaders.Add("X-Access-Purpose", "binding test");

        var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(path[(path.IndexOf('=', StringComparison.Ordinal) + 1)..], problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_field_of_the_wrong_JSON_type_is_a_problem_naming_the_field()
    {
        using var http = service.Service.ClientWith(Scopes.DisputesWrite);
        using var content = new StringContent("""{ "raisedBy": "adult-social-care", "subject": 5, "summary": "s" }""", Encoding.UTF8, "application/json");

        var response = await http.PostAsync(new Uri("/families/family-x/disputes", UriKind.Relative), content);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("subject", problem.GetProperty("parameter").GetString());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.TryGetProperty("traceId", out _));
        return problem;
    }
}

using System.Net;
using System.Security.Claims;
using System.Text.Json;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

public sealed class ValidatedTokensTests(SecuredService fixture) : IClassFixture<SecuredService>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_remembered_token_is_recalled_only_by_its_exact_text_and_only_before_it_expires()
    {
        var tokens = new ValidatedTokens();
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("client_id", "case-system")], "Bearer"));
        tokens.Remember("header.payload.signature", Now.AddMinutes(5), principal, Now);

        Assert.True(tokens.TryRecall("Bearer header.payload.signature", Now.AddMinutes(4), out var recalled));
        Assert.Same(principal, recalled);
        Assert.False(tokens.TryRecall("Bearer header.payload.signaturf", Now, out _));
        Assert.False(tokens.TryRecall("Basic header.payload.signature", Now, out _));
        Assert.False(tokens.TryRecall("Bearer header.payload.signature", Now.AddMinutes(5), out _));
        Assert.Equal(0, tokens.Count);
    }

    [Fact]
    public void A_token_already_expired_is_not_remembered_and_a_full_memory_drops_expired_tokens_first()
    {
        var tokens = new ValidatedTokens();
        var principal = new ClaimsPrincipal();
        tokens.Remember("expired", Now, principal, Now);
        Assert.Equal(0, tokens.Count);

        for (var i = 0; i < ValidatedTokens.Capacity; i++)
        {
            tokens.Remember($"token-{i}", Now.AddSeconds(i % 2 == 0 ? 1 : 60), principal, Now);
        }

        tokens.Remember("newest", Now.AddMinutes(5), principal, Now.AddSeconds(2));

        Assert.True(tokens.TryRecall("Bearer newest", Now.AddSeconds(2), out _));
        Assert.True(tokens.TryRecall("Bearer token-1", Now.AddSeconds(2), out _));
        Assert.Equal((ValidatedTokens.Capacity / 2) + 1, tokens.Count);
    }

    [Fact]
    public async Task A_token_the_service_has_accepted_is_refused_once_it_expires()
    {
        await using var service = TestAuth.Service(fixture.Database.ConnectionString, ("Auth:ClockSkew", "00:00:00"));
        using var http = service.CreateClient();
        var expires = DateTimeOffset.UtcNow.AddSeconds(3);
        var token = TestAuth.Token(Scopes.Admin, notBefore: DateTimeOffset.UtcNow.AddSeconds(-1), lifetime: expires - DateTimeOffset.UtcNow.AddSeconds(-1));
        Task<HttpResponseMessage> ListAccessesAsync() => http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/audit/access").WithToken(token));

        Assert.Equal(HttpStatusCode.OK, (await ListAccessesAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ListAccessesAsync()).StatusCode);
        await Task.Delay((expires - DateTimeOffset.UtcNow) + TimeSpan.FromSeconds(1.5));
        var refused = await ListAccessesAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("The bearer token has expired.", problem.RootElement.GetProperty("detail").GetString());
    }
}

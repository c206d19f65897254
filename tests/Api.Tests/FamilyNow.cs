using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

/// <summary>Reads of a family for tests that write to it.</summary>
internal static class FamilyNow
{
    /// <summary>The family as evaluated now from the event store (asOf), so the test does not wait for the projection.</summary>
    public static async Task<JsonElement> FamilyNowAsync(this WebApplicationFactory<Program> service, string family, string purpose)
    {
        using var reader = service.ClientWith(Scopes.FamiliesRead);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/families/{family}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}", UriKind.Relative));
        request.Headers.Add(AccessAudit.PurposeHeader, purpose);
        var response = await reader.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("family");
    }
}

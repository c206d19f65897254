using Microsoft.AspNetCore.Mvc.Testing;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

/// <summary>A class fixture: a fresh database and the service over it, configured with the tests' signing key.</summary>
public sealed class SecuredService : IAsyncLifetime
{
    private readonly DatabaseFixture _database = new();
    private WebApplicationFactory<Program>? _service;

    public DatabaseFixture Database => _database;

    public WebApplicationFactory<Program> Service => _service ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _service = TestAuth.Service(_database.ConnectionString);
        // Starts the host, so the schema (the Api's scripts included) is applied before any test runs.
        _ = _service.Services;
    }

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await _database.DisposeAsync();
    }
}

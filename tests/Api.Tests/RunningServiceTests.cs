using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace YoungCarers.Api.Tests;

/// <summary>
/// The README's first command, for real: the service as its own process, with no connection
/// string, starting its own embedded PostgreSQL.
/// </summary>
public sealed class RunningServiceTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"yc-service-test-{Guid.NewGuid():N}", "postgres");

    [Fact]
    public async Task With_no_connection_string_the_service_starts_embedded_postgres_answers_health_and_stops_it_on_shutdown()
    {
        var port = FreePort();
        using var service = StartService($"--urls=http://127.0.0.1:{port}");
        var log = service.StandardOutput.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var live = await WaitForAsync(client, "/health/live", TimeSpan.FromSeconds(90), service);
            var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, live);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.True(File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")));

            // The README's Security section: mint a development token, then send an event with it.
            var keyFile = Path.Combine(Path.GetDirectoryName(_dataDirectory)!, "dev-signing-key");
            Assert.True(File.Exists(keyFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            }

            var token = await CliProcess.RunAsync("token", "--client", "school-42", "--scope", "events:write", "--lifetime", "10m", $"--EmbeddedPostgres:DataDirectory={_dataDirectory}");
            Assert.True(token.ExitCode == 0, token.Errors);
            var id = Guid.NewGuid().ToString("N")[..12];
            var envelope = YoungCarers.Testing.Envelopes.Identified(id, YoungCarers.Testing.Envelopes.Child($"c-{id}"));
            var anonymous = await client.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(envelope, System.Text.Encoding.UTF8, "application/cloudevents+json"));
            using var authorized = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StringContent(envelope, System.Text.Encoding.UTF8, "application/cloudevents+json") };
            authorized.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Output.Trim());
            var accepted = await client.SendAsync(authorized);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

            // The README's Read it walk ends at a family: a reading token, then GET /families/{id} with a purpose.
            var familyId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("familyId").GetString()!;
            var reading = await CliProcess.RunAsync("token", "--client", "demo", "--scope", "families:read obligations:read", $"--EmbeddedPostgres:DataDirectory={_dataDirectory}");
            Assert.True(reading.ExitCode == 0, reading.Errors);
            var family = await ProjectedFamilyAsync(client, familyId, reading.Output.Trim(), TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.OK, family.StatusCode);
            Assert.Equal(familyId, (await family.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("familyId").GetString());
        }
        finally
        {
            await TerminateAsync(service);
        }

        Assert.Equal(0, service.ExitCode);
        var output = await log;
        Assert.Contains("using the embedded PostgreSQL", output, StringComparison.Ordinal);
        var tokensWarning = System.Text.Json.JsonDocument.Parse(output.Split('\n').Single(line => line.Contains("DEVELOPMENT TOKENS IN USE", StringComparison.Ordinal)))
            .RootElement.GetProperty("Message").GetString();
        // There is no youngcarers executable: the command is the service's own.
        Assert.Contains("mint one with the service's `token --client NAME --scope SCOPES` command", tokensWarning, StringComparison.Ordinal);
        // Structured logs: one JSON object per line.
        var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.True(System.Text.Json.JsonDocument.Parse(first).RootElement.TryGetProperty("Message", out _), first);
        Assert.False(File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")), "The embedded PostgreSQL was left running.");
    }

    [Fact]
    public async Task The_migrate_command_applies_the_schema_once_and_then_reports_it_current()
    {
        using var first = StartService("migrate");
        var firstOutput = await first.StandardOutput.ReadToEndAsync();
        await first.WaitForExitAsync();
        using var second = StartService("migrate");
        var secondOutput = await second.StandardOutput.ReadToEndAsync();
        await second.WaitForExitAsync();

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Applied schema versions 1", firstOutput, StringComparison.Ordinal);
        Assert.Contains("already current", secondOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_fails_the_command_with_a_plain_message_and_exit_code_1()
    {
        using var migrate = StartService(drainErrors: false, "migrate", "--ConnectionStrings:EventStore=Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        var errors = await migrate.StandardError.ReadToEndAsync();
        await migrate.WaitForExitAsync();

        Assert.Equal(1, migrate.ExitCode);
        Assert.StartsWith("youngcarers: Failed to connect to 127.0.0.1:1", errors, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_whose_address_is_taken_says_so_and_exits_with_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var service = StartService(drainErrors: false, $"--urls=http://127.0.0.1:{port}");
        var errors = service.StandardError.ReadToEndAsync();
        _ = service.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await service.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, service.ExitCode);
        Assert.Contains($"youngcarers: Failed to bind to address http://127.0.0.1:{port}", await errors, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")), "The embedded PostgreSQL was left running.");
    }

    [Fact]
    public async Task The_token_command_refuses_to_mint_development_tokens_for_a_real_database()
    {
        var run = await CliProcess.RunAsync("token", "--client", "x", "--scope", "admin", "--ConnectionStrings:EventStore=Host=db.example;Username=x");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("youngcarers: No token signing key is configured", run.Errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_dataDirectory)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private Process StartService(params string[] arguments) => StartService(drainErrors: true, arguments);

    private Process StartService(bool drainErrors, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "YoungCarers.Api.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add($"--EmbeddedPostgres:DataDirectory={_dataDirectory}");
        start.Environment.Remove("ConnectionStrings__EventStore");
        var process = Process.Start(start)!;
        if (drainErrors)
        {
            // Drained so a chatty process never blocks on a full pipe.
            _ = process.StandardError.ReadToEndAsync();
        }

        return process;
    }

    private static async Task<HttpStatusCode> WaitForAsync(HttpClient client, string path, TimeSpan timeout, Process service)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !service.HasExited)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>GET /families/{id} as the README sends it, again while it is 404 (the projection has not caught up) until <paramref name="timeout"/>.</summary>
    private static async Task<HttpResponseMessage> ProjectedFamilyAsync(HttpClient client, string familyId, string token, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/families/{familyId}", UriKind.Relative));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("X-Access-Purpose", "demo");
            var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow >= deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(200);
        }
    }

    private static async Task TerminateAsync(Process service)
    {
        if (service.HasExited)
        {
            return;
        }

        // SIGTERM, as a process manager would send: the service shuts down gracefully.
        using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await service.WaitForExitAsync(timeout.Token);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

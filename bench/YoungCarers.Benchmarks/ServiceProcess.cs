using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The real service (by default the build of <c>src/Api</c> in this project's configuration, which building this project builds too) run
/// as its own process with <c>dotnet YoungCarers.Api.dll</c>, configured through environment
/// variables, on a free loopback port. Its resident memory is sampled for as long as it runs.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);
    private readonly Process _process;
    private readonly Queue<string> _outputTail = new();
    private readonly CancellationTokenSource _stopSampling = new();
    private readonly Task _sampling;
    private double _peakSampledMegabytes;

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _sampling = Task.Run(SampleAsync);
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The largest resident set seen by sampling VmRSS every 100 ms, in MB.</summary>
    public double PeakSampledMegabytes => Volatile.Read(ref _peakSampledMegabytes);

    /// <summary>The kernel's high-water mark of the process's resident set (VmHWM) over its whole life, in MB.</summary>
    public double? PeakResidentMegabytes => PeakMemory.ResidentMegabytes(_process.Id);

    /// <summary>Where the build put the service next to this benchmark (see the project file).</summary>
    public static string BuiltApiAssemblyPath() =>
        typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ApiAssembly").Value
            ?? throw new InvalidOperationException("The benchmark was built without the service's path.");

    /// <summary>Starts the service in <paramref name="api"/> (its YoungCarers.Api.dll) and waits until <c>/health/ready</c> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string api, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        if (!File.Exists(api))
        {
            throw new FileNotFoundException($"The service is not built at {api}: build the solution (or src/Api) in the benchmark's configuration first.", api);
        }

        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{FreePort()}"));
        var start = Start(api, [], environment);
        start.Environment["Urls"] = baseAddress.ToString().TrimEnd('/');
        var service = new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."), baseAddress);
        try
        {
            await service.WaitUntilReadyAsync(cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one of the service's commands (<c>dotnet YoungCarers.Api.dll ARGS</c>) with the same configuration and returns what it printed.</summary>
    public static async Task<string> RunCommandAsync(string api, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        using var process = Process.Start(Start(api, arguments, environment)) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? (await output).Trim()
            : throw new InvalidOperationException($"youngcarers {arguments[0]} exited with {process.ExitCode}: {await error}");
    }

    /// <summary>The last lines the service printed, for a failure report.</summary>
    public string OutputTail()
    {
        lock (_outputTail)
        {
            return string.Join(Environment.NewLine, _outputTail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopSampling.CancelAsync();
        await _sampling;
        if (!_process.HasExited)
        {
            // Every response waited for its access record to commit, so nothing is lost by not stopping gracefully.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _stopSampling.Dispose();
    }

    private static ProcessStartInfo Start(string api, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        // The content root (appsettings.json) is the working directory.
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(api)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(api);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode} while starting:{Environment.NewLine}{OutputTail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer while it starts.
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"The service did not become ready:{Environment.NewLine}{OutputTail()}");
    }

    private async Task SampleAsync()
    {
        while (!_stopSampling.IsCancellationRequested)
        {
            if (PeakMemory.CurrentMegabytes(_process.Id) is { } resident && resident > _peakSampledMegabytes)
            {
                Volatile.Write(ref _peakSampledMegabytes, resident);
            }

            try
            {
                await Task.Delay(SampleInterval, _stopSampling.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputTail)
        {
            _outputTail.Enqueue(line);
            if (_outputTail.Count > 50)
            {
                _outputTail.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

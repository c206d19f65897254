using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace YoungCarers.Benchmarks;

/// <summary>What one wrk run measured (wrk's own counters and latency histogram).</summary>
/// <param name="StatusErrors">Responses with a status of 400 or more (wrk counts those, and only those, as status errors).</param>
/// <param name="SocketErrors">Connect, read and write errors and timeouts.</param>
internal sealed record WrkResult(long Requests, TimeSpan Duration, long StatusErrors, long SocketErrors, double P50Milliseconds, double P90Milliseconds, double P99Milliseconds, double MaxMilliseconds)
{
    public double RequestsPerSecond => Requests / Duration.TotalSeconds;

    public long Errors => StatusErrors + SocketErrors;
}

/// <summary>
/// Runs wrk (Debian: <c>apt-get install wrk</c>) with a generated Lua script: every request carries
/// the bearer token and the access purpose, its path is either fixed or <c>/families/{id}</c> with an
/// id picked at random from a file, and the script's <c>done</c> prints the counters and latency
/// percentiles as one JSON line, which is parsed. Paced, each thread sends at most its share of a
/// given rate (wrk's <c>delay</c>, timed with the monotonic clock through LuaJIT's FFI): requests
/// fall behind the rate rather than bunch up when the service is slower.
/// </summary>
internal static class Wrk
{
    private const string ResultMarker = "WRK-RESULT ";

    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(directory => File.Exists(Path.Combine(directory, "wrk")));

    /// <param name="path">The request path (and query); with <paramref name="idFile"/>, the prefix the random id is appended to.</param>
    /// <param name="rate">Requests a second to send at most, over all threads; 0 sends each request as soon as its connection is free.</param>
    public static async Task<WrkResult> RunAsync(
        Uri baseAddress, string path, string? idFile, IReadOnlyDictionary<string, string> headers, int threads, int connections, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var script = Path.Combine(Path.GetTempPath(), $"yc-bench-wrk-{Guid.NewGuid():N}.lua");
        var interval = rate > 0 ? threads * 1000.0 / rate : 0;
        await File.WriteAllTextAsync(script, Script(path, idFile, headers, interval), cancellationToken);
        try
        {
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", string.Create(CultureInfo.InvariantCulture, $"{(int)Math.Ceiling(duration.TotalSeconds)}s"), "--timeout", "10s", "-s", script,
                baseAddress.ToString(),
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var text = await output;
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                throw new InvalidOperationException($"wrk exited with {process.ExitCode} and no result:{Environment.NewLine}{text}{await error}");
            }

            var json = JsonDocument.Parse(line[ResultMarker.Length..]).RootElement;
            double Milliseconds(string name) => json.GetProperty(name).GetDouble() / 1000;
            return new WrkResult(
                json.GetProperty("requests").GetInt64(),
                TimeSpan.FromMicroseconds(json.GetProperty("durationMicroseconds").GetInt64()),
                json.GetProperty("status").GetInt64(),
                json.GetProperty("connect").GetInt64() + json.GetProperty("read").GetInt64() + json.GetProperty("write").GetInt64() + json.GetProperty("timeout").GetInt64(),
                Milliseconds("p50"), Milliseconds("p90"), Milliseconds("p99"), Milliseconds("max"));
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <param name="interval">Milliseconds between one thread's requests; 0 for no pacing.</param>
    private static string Script(string path, string? idFile, IReadOnlyDictionary<string, string> headers, double interval)
    {
        var lua = new StringBuilder();
        foreach (var (name, value) in headers)
        {
            lua.AppendLine(CultureInfo.InvariantCulture, $"wrk.headers[{Quote(name)}] = {Quote(value)}");
        }

        // Each thread has its own Lua state: setup numbers them so their random sequences differ.
        lua.AppendLine(CultureInfo.InvariantCulture, $$"""
            local path = {{Quote(path)}}
            local idFile = {{(idFile is null ? "nil" : Quote(idFile))}}
            local counter = 0
            function setup(thread)
               counter = counter + 1
               thread:set("number", counter)
            end
            local ids = {}
            function init(args)
               math.randomseed(os.time() * 100 + number)
               if idFile then
                  for line in io.lines(idFile) do
                     if #line > 0 then ids[#ids + 1] = line end
                  end
               end
            end
            local interval = {{interval.ToString("R", CultureInfo.InvariantCulture)}}
            local nextAt = nil
            local clock = nil
            local function now()
               if clock == nil then
                  local ffi = require("ffi")
                  ffi.cdef("typedef struct { long sec; long nsec; } yc_timespec; int clock_gettime(int clock, yc_timespec *time);")
                  clock = { ffi = ffi, time = ffi.new("yc_timespec") }
               end
               clock.ffi.C.clock_gettime(1, clock.time)
               return tonumber(clock.time.sec) * 1000 + tonumber(clock.time.nsec) / 1000000
            end
            function delay()
               if interval == 0 then return 0 end
               local t = now()
               -- Slots missed while every connection was busy are not made up in a burst.
               if nextAt == nil or nextAt < t then nextAt = t end
               nextAt = nextAt + interval
               return math.floor(nextAt - interval - t)
            end
            function request()
               if idFile then
                  return wrk.format(nil, path .. ids[math.random(#ids)])
               end
               return wrk.format(nil, path)
            end
            function done(summary, latency, requests)
               local e = summary.errors
               io.write(string.format(
                  '{{ResultMarker}}{"requests":%d,"durationMicroseconds":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\n',
                  summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
                  latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
            end
            """);
        return lua.ToString();
    }

    /// <summary>A Lua string literal.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

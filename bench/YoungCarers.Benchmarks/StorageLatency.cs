using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace YoungCarers.Benchmarks;

/// <summary>
/// Times the file system's flushes beside a run: every 10 ms it overwrites 8 kB of a small file next
/// to the database and flushes it to disk, as PostgreSQL does its WAL at every durable commit. Each
/// audited read waits for such a commit, so a flush that stalls on the machine's shared disk stalls
/// the reads with it; printed beside the latencies, it tells a stall of the storage from one of the
/// service.
/// </summary>
internal sealed class StorageLatency : IAsyncDisposable
{
    /// <summary>A flush slower than this is counted as slow.</summary>
    public const double SlowMilliseconds = 20;

    private const int BlockSize = 8192;
    private const int Blocks = 128;

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<double> _milliseconds = [];
    private readonly Task _probing;

    private StorageLatency(string directory)
    {
        _path = Path.Combine(directory, $"storage-probe-{Environment.ProcessId}.dat");
        _file = File.OpenHandle(_path, FileMode.Create, FileAccess.Write);
        _probing = Task.Factory.StartNew(Probe, TaskCreationOptions.LongRunning);
    }

    /// <summary>Starts flushing a file in <paramref name="directory"/>, which should be on the database's file system.</summary>
    public static StorageLatency Start(string directory) => new(directory);

    /// <summary>Stops probing and summarises the flushes timed.</summary>
    public async Task<StorageLatencySummary> StopAsync()
    {
        await _stop.CancelAsync();
        await _probing;
        return StorageLatencySummary.Of(_milliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _file.Dispose();
        _stop.Dispose();
        File.Delete(_path);
    }

    private void Probe()
    {
        var block = new byte[BlockSize];
        Random.Shared.NextBytes(block);
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var started = Stopwatch.GetTimestamp();
            RandomAccess.Write(_file, block, (long)(n % Blocks) * BlockSize);
            RandomAccess.FlushToDisk(_file);
            _milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _stop.Token.WaitHandle.WaitOne(10);
        }
    }
}

/// <summary>The flushes timed during a run.</summary>
internal sealed record StorageLatencySummary(int Flushes, double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds, int Slow)
{
    public static StorageLatencySummary Of(List<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return new(0, 0, 0, 0, 0);
        }

        var sorted = milliseconds.Order().ToArray();
        double At(double quantile) => sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];
        return new(sorted.Length, At(0.50), At(0.99), sorted[^1], sorted.Count(ms => ms > StorageLatency.SlowMilliseconds));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Flushes:N0} flushes of 8 kB, p50 {P50Milliseconds:N1} ms, p99 {P99Milliseconds:N1} ms, max {MaxMilliseconds:N0} ms, {Slow:N0} over {StorageLatency.SlowMilliseconds:N0} ms");
}

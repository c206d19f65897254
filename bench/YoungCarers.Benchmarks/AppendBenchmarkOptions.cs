namespace YoungCarers.Benchmarks;

/// <param name="ConnectionString">A server to create the run's database on; null starts an embedded PostgreSQL.</param>
internal sealed record AppendBenchmarkOptions(
    int Events,
    int Streams,
    int BatchSize,
    string? ConnectionString,
    TimeSpan ConcurrentDuration,
    int Writers)
{
    /// <summary>Fixed, so every run (and both bulk writers) sees the same events.</summary>
    public const int Seed = 20_250_303;
}

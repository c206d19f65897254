namespace YoungCarers.EventStore.Embedded;

public sealed record EmbeddedPostgresOptions
{
    /// <summary>The cluster's data directory; created and initialised when missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Where initdb, pg_ctl and postgres live; null finds the newest under /usr/lib/postgresql.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>
    /// Trade durability for speed (fsync off): for throwaway test clusters only, never for data
    /// anyone keeps.
    /// </summary>
    public bool Disposable { get; init; }

    /// <summary>Extra server settings (name, value) passed as -c options.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
